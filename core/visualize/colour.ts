// Colour decorrelation for RGB models: the optimised variable is mapped through a fixed 3×3 matrix L
// (x_rgb = L · y per pixel) so that independent steps in y move colours along the data's principal
// correlations, as Lucid does. L is the Cholesky factor of the RGB pixel covariance of the sample image
// shipped in resources/samples (shapes-224.png), computed at run time, then divided by its largest
// column norm (Lucid's normalisation) so y and x have comparable scale. Gray models use the identity.
import { fileURLToPath } from 'node:url';

export const IDENTITY3 = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
const SAMPLE = fileURLToPath(new URL('../../resources/samples/shapes-224.png', import.meta.url));

/** Lower-triangular Cholesky factor of a symmetric positive-definite 3×3 matrix (row-major). */
export function cholesky3(a: ArrayLike<number>): Float64Array {
  const l = new Float64Array(9);
  for (let i = 0; i < 3; i++) for (let j = 0; j <= i; j++) {
    let s = a[i * 3 + j]!;
    for (let k = 0; k < j; k++) s -= l[i * 3 + k]! * l[j * 3 + k]!;
    if (i === j) {
      if (!(s > 0)) throw new Error('colour: the pixel covariance is not positive definite (a gray or flat sample image)');
      l[i * 3 + i] = Math.sqrt(s);
    } else l[i * 3 + j] = s / l[j * 3 + j]!;
  }
  return l;
}

/** Covariance of interleaved RGB pixels (8-bit) → normalised Cholesky factor. */
export function colourMatrixFromPixels(rgb: ArrayLike<number>): Float64Array {
  const n = Math.floor(rgb.length / 3), mean = [0, 0, 0], cov = new Float64Array(9);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) mean[c]! += rgb[i * 3 + c]! / 255 / n;
  for (let i = 0; i < n; i++) for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) {
    cov[a * 3 + b]! += ((rgb[i * 3 + a]! / 255 - mean[a]!) * (rgb[i * 3 + b]! / 255 - mean[b]!)) / n;
  }
  const l = cholesky3(cov);
  let maxNorm = 0;
  for (let j = 0; j < 3; j++) maxNorm = Math.max(maxNorm, Math.hypot(l[j]!, l[3 + j]!, l[6 + j]!));
  for (let i = 0; i < 9; i++) l[i]! /= maxNorm;
  return l;
}

let cached: Promise<Float64Array> | undefined;

/** The colour matrix from the shipped sample (identity, with a note, if the sample cannot be read). */
export function sampleColourMatrix(): Promise<{ matrix: Float64Array; note?: string }> {
  cached ??= (async () => {
    const sharp = (await import('sharp')).default;
    const { data } = await sharp(SAMPLE).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    return colourMatrixFromPixels(data);
  })();
  return cached.then((matrix) => ({ matrix }), (e: unknown) => {
    cached = undefined;
    return { matrix: IDENTITY3, note: `colour decorrelation off (${e instanceof Error ? e.message : String(e)})` };
  });
}

/** x[c] = Σ_k L[c, k] y[k] per pixel (planar 3×H×W). */
export function applyColour(y: Float32Array, plane: number, l: Float64Array): Float32Array {
  const x = new Float32Array(y.length);
  for (let i = 0; i < plane; i++) {
    const a = y[i]!, b = y[plane + i]!, c = y[2 * plane + i]!;
    for (let r = 0; r < 3; r++) x[r * plane + i] = l[r * 3]! * a + l[r * 3 + 1]! * b + l[r * 3 + 2]! * c;
  }
  return x;
}

/** Transpose of `applyColour`. */
export function colourAdjoint(g: Float32Array, plane: number, l: Float64Array): Float32Array {
  const out = new Float32Array(g.length);
  for (let i = 0; i < plane; i++) {
    const a = g[i]!, b = g[plane + i]!, c = g[2 * plane + i]!;
    for (let k = 0; k < 3; k++) out[k * plane + i] = l[k]! * a + l[3 + k]! * b + l[6 + k]! * c;
  }
  return out;
}
