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
