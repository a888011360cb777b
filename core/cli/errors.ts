// Errors the CLI turns into a one-line message and an exit status.

/** The command line itself is wrong (exit status 2). */
export class UsageError extends Error {
  constructor(message: string, readonly command?: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit statuses: 0 ok, 1 the work failed (bad model, bad image…), 2 bad command line, 130 cancelled. */
export const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 } as const;

/** A stable code for --json error output (same vocabulary as the app's API errors). */
export function errorCode(e: unknown): string {
  if (e instanceof UsageError) return 'invalid-request';
  const err = e as { name?: string; code?: unknown };
  if (err?.name === 'ModelError') return 'bad-model';
  if (err?.name === 'AbortError') return 'cancelled';
  if (typeof err?.code === 'string' && /^[a-z-]+$/.test(err.code)) return err.code;
  return 'internal';
}

/** One line: the first line of the message, without a trailing period. */
export function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return (msg.split('\n').find((l) => l.trim() !== '') ?? 'unknown error').trim();
}
