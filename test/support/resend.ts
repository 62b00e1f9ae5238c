// A client as the API asks one to be: a 503 that says the portal or its database is busy or away for
// a moment comes with Retry-After and is sent again after it (nothing of it was done). On PostgreSQL
// the test files running side by side share the server's connections (100 on the CI's), so a burst
// of requests in one of them may find none free for a moment; on a loaded machine a portal may shed
// a request (OVERLOADED) or a statement may time out. SHUTTING_DOWN is not among them: that instance
// is going away, and a test that stops a portal means to see it.

type Answer = { status: number; body: unknown; headers: Headers };

const TRANSIENT = new Set(['DATABASE_UNAVAILABLE', 'DATABASE_TIMEOUT', 'OVERLOADED']);

/** `send` until its answer is anything but a transient 503 (above), or `attempts` were made. */
export async function resendWhileUnavailable<A extends Answer>(send: () => Promise<A>, attempts = 5): Promise<A> {
  for (let attempt = 1; ; attempt++) {
    const answer = await send();
    if (answer.status !== 503 || !TRANSIENT.has((answer.body as { code?: string } | null)?.code ?? '') || attempt === attempts) return answer;
    await new Promise((resolve) => setTimeout(resolve, Number(answer.headers.get('retry-after') ?? 1) * 1000));
  }
}

/** A fetch Response read as an answer (its body parsed as JSON). */
export async function answerOf<T>(r: Response): Promise<{ status: number; body: T; headers: Headers }> {
  return { status: r.status, body: (await r.json()) as T, headers: r.headers };
}
