// A client as the API asks one to be: a 503 DATABASE_UNAVAILABLE comes with Retry-After and is sent
// again after it. On PostgreSQL the test files running side by side share the server's connections
// (100 on the CI's), so a burst of requests in one of them may find none free for a moment.

type Answer = { status: number; body: unknown; headers: Headers };

/** `send` until its answer is anything but 503 DATABASE_UNAVAILABLE, or `attempts` were made. */
export async function resendWhileUnavailable<A extends Answer>(send: () => Promise<A>, attempts = 5): Promise<A> {
  for (let attempt = 1; ; attempt++) {
    const answer = await send();
    if (answer.status !== 503 || (answer.body as { code?: string } | null)?.code !== 'DATABASE_UNAVAILABLE' || attempt === attempts) return answer;
    await new Promise((resolve) => setTimeout(resolve, Number(answer.headers.get('retry-after') ?? 1) * 1000));
  }
}

/** A fetch Response read as an answer (its body parsed as JSON). */
export async function answerOf<T>(r: Response): Promise<{ status: number; body: T; headers: Headers }> {
  return { status: r.status, body: (await r.json()) as T, headers: r.headers };
}
