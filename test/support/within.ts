// What another instance must see within a bound: a change notice that crosses LISTEN/NOTIFY.

/** Whether `check` holds within `ms`: tried every 20 ms, and once more when the time is up. */
export async function within(ms: number, check: () => Promise<boolean>): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until; await new Promise((r) => setTimeout(r, 20))) if (await check()) return true;
  return check();
}
