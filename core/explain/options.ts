// Settings of the explainers, with the defaults each paper recommends (or a cheaper one, noted).
export interface ExplainOptions {
  /** SmoothGrad (Smilkov et al. 2017): n noisy samples, σ = noise × (max − min of the input). Paper: 10–20 %, n ≈ 50. */
  smoothgrad?: { samples?: number; noise?: number; seed?: number };
  /** Integrated Gradients (Sundararajan et al. 2017): m steps on the straight path from the baseline (trapezoid rule). */
  ig?: { steps?: number; baseline?: 'zero' | 'blur' | number };
  /** Occlusion (Zeiler & Fergus 2014): square patch, stride, value put in (model-input units; 0 = dataset mean after normalisation). */
  occlusion?: { patch?: number; stride?: number; baseline?: number };
  /** RISE (Petsiuk et al. 2018): N random masks on a grid of cells, each cell kept with probability p. */
  rise?: { masks?: number; cell?: number; p?: number; seed?: number };
  /** Score-CAM (Wang et al. 2020): at most this many channels (the most active); all by default. */
  scorecam?: { maxChannels?: number };
}

export interface ResolvedOptions {
  smoothgrad: { samples: number; noise: number; seed: number };
  ig: { steps: number; baseline: 'zero' | 'blur' | number };
  occlusion: { patch: number; stride: number; baseline: number };
  rise: { masks: number; cell: number; p: number; seed: number };
  scorecam: { maxChannels: number };
}

function int(v: number | undefined, dflt: number, lo: number, hi: number, what: string): number {
  const x = v ?? dflt;
  if (!Number.isInteger(x) || x < lo || x > hi) throw new Error(`explain: ${what} must be a whole number from ${lo} to ${hi} (got ${v})`);
  return x;
}
function num(v: number | undefined, dflt: number, lo: number, hi: number, what: string): number {
  const x = v ?? dflt;
  if (!Number.isFinite(x) || x < lo || x > hi) throw new Error(`explain: ${what} must be between ${lo} and ${hi} (got ${v})`);
  return x;
}

/** Defaults filled in and ranges checked for an H×W input. */
export function resolveOptions(o: ExplainOptions = {}, height = 224, width = 224): ResolvedOptions {
  const side = Math.min(height, width);
  const patch = int(o.occlusion?.patch, Math.max(2, Math.round(side / 8)), 1, side, 'occlusion patch');
  const baseline = o.ig?.baseline ?? 'zero';
  if (typeof baseline === 'number' ? !Number.isFinite(baseline) : baseline !== 'zero' && baseline !== 'blur') throw new Error(`explain: IG baseline must be "zero", "blur" or a number (got ${String(baseline)})`);
  return {
    smoothgrad: { samples: int(o.smoothgrad?.samples, 25, 1, 10_000, 'SmoothGrad samples'), noise: num(o.smoothgrad?.noise, 0.15, 0, 10, 'SmoothGrad noise'), seed: int(o.smoothgrad?.seed, 1, 0, 2 ** 31, 'seed') },
    ig: { steps: int(o.ig?.steps, 32, 1, 10_000, 'IG steps'), baseline },
    occlusion: { patch, stride: int(o.occlusion?.stride, Math.max(1, Math.round(patch / 2)), 1, side, 'occlusion stride'), baseline: num(o.occlusion?.baseline, 0, -1e6, 1e6, 'occlusion baseline') },
    rise: {
      masks: int(o.rise?.masks, 2000, 1, 100_000, 'RISE masks'),
      cell: int(o.rise?.cell, Math.max(1, Math.ceil(side / 7)), 1, side, 'RISE cell size'),
      p: num(o.rise?.p, 0.5, 0.01, 1, 'RISE keep probability'), seed: int(o.rise?.seed, 1, 0, 2 ** 31, 'seed'),
    },
    scorecam: { maxChannels: int(o.scorecam?.maxChannels, 100_000, 1, 100_000, 'Score-CAM channels') },
  };
}
