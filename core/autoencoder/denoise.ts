// Denoising: corrupt clean images (seeded), let the autoencoder restore them, and measure both the
// corrupted and the restored image against the clean one (MSE in [0, 1] pixels).
import type { AutoencoderWorkbench } from './workbench.ts';
import { addNoise, mse, type NoiseKind } from './noise.ts';

export interface DenoiseResult {
  /** All n × C×H×W, [0, 1] pixels. */
  clean: Float32Array;
  noisy: Float32Array;
  restored: Float32Array;
  /** Per image. */
  noisyMse: Float32Array;
  restoredMse: Float32Array;
}

export async function denoise(wb: AutoencoderWorkbench, images: Float32Array, n: number, o: { kind: NoiseKind; amount: number; seed: number; signal?: AbortSignal }): Promise<DenoiseResult> {
  const per = wb.sampleSize, c = wb.sampleDims[0];
  const clean = wb.toPixels(images);
  const noisy = new Float32Array(clean.length);
  for (let i = 0; i < n; i++) {
    // A different seed per image, so a batch is not n copies of one noise pattern.
    noisy.set(addNoise(clean.subarray(i * per, (i + 1) * per), { kind: o.kind, amount: o.amount, seed: o.seed + i, channels: c }), i * per);
  }
  const r = await wb.forward(wb.fromPixels(noisy), n, o.signal);
  const restored = wb.toPixels(r.recon);
  for (let i = 0; i < restored.length; i++) restored[i] = Math.min(1, Math.max(0, restored[i]!));
  const noisyMse = new Float32Array(n), restoredMse = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const s = clean.subarray(i * per, (i + 1) * per);
    noisyMse[i] = mse(noisy.subarray(i * per, (i + 1) * per), s);
    restoredMse[i] = mse(restored.subarray(i * per, (i + 1) * per), s);
  }
  return { clean, noisy, restored, noisyMse, restoredMse };
}
