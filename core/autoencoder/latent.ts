// The latent space: codes of a set (for the embedding cloud), interpolation between two images
// through their codes, and a walk along one latent axis — decoded by the decoder half.
import { CancelledError } from '../runtime/index.ts';
import type { AutoencoderWorkbench } from './workbench.ts';
import type { ImageSetSource } from './image-sets.ts';

export async function latentsOf(wb: AutoencoderWorkbench, set: ImageSetSource, o: { batchSize?: number; limit?: number; signal?: AbortSignal; onProgress?: (d: number, t: number) => void } = {}): Promise<{ latents: Float32Array; n: number; k: number; labels?: string[]; names: string[] }> {
  const n = Math.min(set.count, o.limit ?? Infinity), k = wb.latentSize, batch = o.batchSize ?? 500;
  const latents = new Float32Array(n * k);
  for (let from = 0; from < n; from += batch) {
    if (o.signal?.aborted) throw new CancelledError();
    const to = Math.min(n, from + batch);
    const r = await wb.forward(await set.read(from, to), to - from, o.signal);
    latents.set(r.latent, from * k);
    o.onProgress?.(to, n);
  }
  return { latents, n, k, labels: set.labels?.slice(0, n), names: Array.from({ length: n }, (_, i) => set.itemName(i)) };
}

/** Codes (1 − t)·a + t·b for `steps` evenly spaced t in [0, 1], decoded (steps × C×H×W). */
export async function interpolate(wb: AutoencoderWorkbench, a: Float32Array, b: Float32Array, steps: number, signal?: AbortSignal): Promise<{ codes: Float32Array; images: Float32Array; t: Float32Array }> {
  if (!Number.isInteger(steps) || steps < 2 || steps > 256) throw new Error(`interpolation steps must be an integer from 2 to 256 (got ${steps})`);
  const r = await wb.forward(concat(a, b), 2, signal);
  const k = wb.latentSize, za = r.latent.subarray(0, k), zb = r.latent.subarray(k);
  const codes = new Float32Array(steps * k), t = new Float32Array(steps);
  for (let s = 0; s < steps; s++) {
    const u = s / (steps - 1);
    t[s] = u;
    for (let j = 0; j < k; j++) codes[s * k + j] = (1 - u) * za[j]! + u * zb[j]!;
  }
  return { codes, images: await wb.decode(codes, steps, signal), t };
}

/** Decoder walk: the code of `image` with latent `axis` set to evenly spaced values in [from, to]. */
export async function latentWalk(wb: AutoencoderWorkbench, image: Float32Array, axis: number, range: [number, number], steps: number, signal?: AbortSignal): Promise<{ values: Float32Array; images: Float32Array; base: Float32Array }> {
  const k = wb.latentSize;
  if (!Number.isInteger(axis) || axis < 0 || axis >= k) throw new Error(`latent axis must be 0–${k - 1} (got ${axis})`);
  if (!Number.isInteger(steps) || steps < 2 || steps > 256) throw new Error(`walk steps must be an integer from 2 to 256 (got ${steps})`);
  const base = (await wb.forward(image.slice(), 1, signal)).latent;
  const codes = new Float32Array(steps * k), values = new Float32Array(steps);
  for (let s = 0; s < steps; s++) {
    values[s] = range[0] + ((range[1] - range[0]) * s) / (steps - 1);
    codes.set(base, s * k);
    codes[s * k + axis] = values[s]!;
  }
  return { values, images: await wb.decode(codes, steps, signal), base };
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const o = new Float32Array(a.length + b.length);
  o.set(a); o.set(b, a.length);
  return o;
}
