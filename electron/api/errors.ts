// A failure the service reports to the caller with a code; anything else thrown becomes 'internal'.
import type { ApiError } from './contract.ts';

export type ApiErrorCode = ApiError['code'];

export class ApiFailure extends Error {
  constructor(readonly code: ApiErrorCode, message: string) {
    super(message);
    this.name = 'ApiFailure';
  }
}

const CODES: readonly ApiErrorCode[] = ['invalid-request', 'not-found', 'bad-model', 'provider', 'cancelled', 'internal', 'forbidden'];

/** Map anything thrown inside the service to a wire error. Core's ModelError is a bad model. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiFailure) return { code: e.code, message: e.message };
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (CODES as string[]).includes(code)) return { code: code as ApiErrorCode, message: e.message };
    if (e.name === 'ModelError') return { code: 'bad-model', message: e.message };
    if (e.name === 'AbortError') return { code: 'cancelled', message: 'the job was cancelled' };
    return { code: 'internal', message: `internal error: ${e.message}` };
  }
  return { code: 'internal', message: `internal error: ${String(e)}` };
}

/**
 * Rethrow an error from core work as what the caller can act on: cancellation stays cancellation
 * (named after `what`), a bad model is bad-model, error names in `notFound` are not-found, other
 * errors about the request are invalid-request; worker crashes and inference failures pass through
 * (toApiError reports them as internal).
 */
export function rethrowCoreError(e: unknown, what: string, opts: { notFound?: readonly string[]; message?: (m: string) => string } = {}): never {
  if (e instanceof ApiFailure) throw e;
  const err = e as Error;
  if (err?.name === 'AbortError') throw new ApiFailure('cancelled', `${what} was cancelled`);
  if (err?.name === 'ModelError') throw new ApiFailure('bad-model', err.message);
  if (opts.notFound?.includes(err?.name)) throw new ApiFailure('not-found', err.message);
  if (err instanceof Error && err.name !== 'WorkerCrashError' && err.name !== 'InferenceError') throw new ApiFailure('invalid-request', opts.message ? opts.message(err.message) : err.message);
  throw e;
}
