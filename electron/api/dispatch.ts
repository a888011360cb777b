// The one gate between a host and the service: checks the method name, the payload size and
// shape (zod, strict: no extra keys), runs the method, and turns every failure into an
// ApiError envelope. Nothing thrown inside the service escapes to crash a host.
import { MAX_IMAGE_BYTES, MAX_MODEL_BYTES, requestSchemas, type ApiMethod } from './contract.ts';
import { ApiFailure, toApiError } from './errors.ts';
import { isApiMethod, type Envelope } from './methods.ts';
import type { ApiService, CallContext } from './service.ts';

/** Budget for everything but model bytes: names, paths and ids are short. */
export const MAX_PLAIN_PAYLOAD = 64 * 1024;
const MAX_NODES = 4096;
const MAX_DEPTH = 16;

/** Bytes a method may carry in total; only openModel takes binary (a dropped model). */
export function payloadLimit(method: ApiMethod): number {
  if (method === 'setInput') return MAX_IMAGE_BYTES + MAX_PLAIN_PAYLOAD; // a dropped image
  // --- saliency explainers (explain helper): a dropped image, and for faithfulness a map (≤ 4096² floats) ---
  if (method === 'explain' || method === 'sanityCheck') return MAX_IMAGE_BYTES + MAX_PLAIN_PAYLOAD;
  // --- autoencoder: a dropped image to reconstruct or denoise ---
  if (method === 'aeReconstruct' || method === 'aeDenoise') return MAX_IMAGE_BYTES + MAX_PLAIN_PAYLOAD;
  // --- radiograph review display (heatmaps helper): a dropped image or DICOM ---
  if (method === 'loadImageForReview') return MAX_IMAGE_BYTES + MAX_PLAIN_PAYLOAD;
  if (method === 'faithfulness') return MAX_IMAGE_BYTES + 4096 * 4096 * 4 + MAX_PLAIN_PAYLOAD;
  return method === 'openModel' ? MAX_MODEL_BYTES + MAX_PLAIN_PAYLOAD : MAX_PLAIN_PAYLOAD;
}

/**
 * Rough size of a value with early exit: strings count 2 bytes per char, typed arrays their
 * bytes. Cheap enough to run before schema validation so huge payloads never reach zod.
 */
export function payloadSize(v: unknown, limit: number): number {
  let total = 0;
  let nodes = 0;
  const walk = (x: unknown, depth: number): void => {
    if (total > limit) return;
    if (++nodes > MAX_NODES || depth > MAX_DEPTH) { total = Infinity; return; }
    if (typeof x === 'string') total += 2 * x.length;
    else if (ArrayBuffer.isView(x)) total += x.byteLength;
    else if (x instanceof ArrayBuffer) total += x.byteLength;
    else if (Array.isArray(x)) {
      total += 8;
      for (let i = 0; i < x.length && total <= limit; i++) walk(x[i], depth + 1);
    } else if (x !== null && typeof x === 'object') {
      for (const k in x) {
        if (total > limit) break;
        if (!Object.prototype.hasOwnProperty.call(x, k)) continue;
        total += 2 * k.length;
        walk((x as Record<string, unknown>)[k], depth + 1);
      }
    } else total += 8;
  };
  walk(v, 0);
  return total;
}

export async function dispatch(service: ApiService, method: unknown, params: unknown, ctx: CallContext = {}): Promise<Envelope> {
  try {
    if (!isApiMethod(method)) {
      const shown = typeof method === 'string' ? `"${method.slice(0, 64)}"` : typeof method;
      return fail('invalid-request', `unknown method ${shown}`);
    }
    const limit = payloadLimit(method);
    const size = payloadSize(params, limit);
    if (size > limit) {
      return fail('invalid-request', method === 'openModel'
        ? `the request is too large (the largest model accepted is ${Math.floor(MAX_MODEL_BYTES / 1024 ** 2)} MB); open big models from a file instead`
        : `the request to ${method} is too large or too deeply nested`);
    }
    const parsed = requestSchemas[method].safeParse(params ?? {});
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.length ? i.path.join('.') : '(params)'}: ${i.message}`);
      return fail('invalid-request', `invalid parameters for ${method}: ${issues.join('; ')}`);
    }
    const handler = service[method] as (req: unknown, ctx: CallContext) => Promise<unknown>;
    const result = await handler.call(service, parsed.data, ctx);
    return { ok: true, result };
  } catch (e) {
    return { ok: false, error: toApiError(e) };
  }
}

function fail(code: ApiFailure['code'], message: string): Envelope {
  return { ok: false, error: { code, message } };
}
