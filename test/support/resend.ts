// A client as the API asks one to be: a 503 DATABASE_UNAVAILABLE comes with Retry-After and is sent
// again after it. On PostgreSQL the test files running side by side share the server's connections
// (100 on the CI's), so a burst of requests in one of them may find none free for a moment.

export type Answer<T> = { status: number; body: T; headers: Headers };

/** `send` until its answer is anything but 503 DATABASE_UNAVAILABLE, or `attempts` were made. */
export async function sendAgainWhileUnavailable<T = { code?: string }>(send: () => Promise<Response>, attempts = 5): Promise<Answer<T>> {
  for (let attempt = 1; ; attempt++) {
    const r = await send();
    const answer = { status: r.status, body: (await r.json()) as T, headers: r.headers };
    if (r.status !== 503 || (answer.body as { code?: string }).code !== 'DATABASE_UNAVAILABLE' || attempt === attempts) return answer;
    await new Promise((resolve) => setTimeout(resolve, Number(r.headers.get('retry-after') ?? 1) * 1000));
  }
}
