// Point colours: a 10-colour categorical palette (Tableau 10) for labels/predictions, green/red for
// correctness, and a colour-map LUT for a scalar.

export const PALETTE: readonly [number, number, number][] = [
  [78, 121, 167], [242, 142, 43], [225, 87, 89], [118, 183, 178], [89, 161, 79],
  [237, 201, 72], [176, 122, 161], [255, 157, 167], [156, 117, 95], [186, 176, 172],
];

/** `scalar:NAME` colours by EmbedResult.scalars[NAME] through a colour map. */
export type ColourBy = 'label' | 'prediction' | 'correct' | `scalar:${string}`;

/** What each scalar of EmbedResult.scalars means, for menus and legends (unknown names show as they are). */
export const SCALAR_TITLES: Readonly<Record<string, string>> = {
  confidence: 'confidence (max softmax)',
  entropy: 'prediction entropy (nats)',
  anomaly: 'anomaly score (MSE)',
  norm: 'feature L2 norm',
};

/** Scalars whose LOW values are the notable ones (drawn bright and on top). */
export const LOW_IS_NOTABLE: ReadonlySet<string> = new Set(['confidence']);

/** A 256×3 LUT read backwards. */
export function reversedLut(lut: Uint8Array): Uint8Array {
  const out = new Uint8Array(768);
  for (let i = 0; i < 256; i++) for (let c = 0; c < 3; c++) out[i * 3 + c] = lut[(255 - i) * 3 + c]!;
  return out;
}

/**
 * The LUT's entries from..255 resampled to 256: the darkest end of viridis-like maps vanishes on the
 * cloud's near-black background, so the ordinary points would disappear.
 */
export function trimmedLut(lut: Uint8Array, from = 48): Uint8Array {
  const out = new Uint8Array(768);
  for (let i = 0; i < 256; i++) {
    const j = Math.round(from + ((255 - from) * i) / 255);
    for (let c = 0; c < 3; c++) out[i * 3 + c] = lut[j * 3 + c]!;
  }
  return out;
}

/** 0..1 per point, 1 = most notable (the bright end of the colour map), for draw order; NaN → 0. */
export function notability(values: ArrayLike<number>, n: number, range: { min: number; max: number } | null, lowIsNotable: boolean): Float32Array {
  const out = new Float32Array(n), lo = range?.min ?? 0, span = range && range.max > range.min ? range.max - range.min : 1;
  for (let i = 0; i < n; i++) {
    const t = (values[i]! - lo) / span;
    out[i] = Number.isNaN(t) ? 0 : Math.max(0, Math.min(1, lowIsNotable ? 1 - t : t));
  }
  return out;
}

export const scalarOf = (c: ColourBy): string | null => (c.startsWith('scalar:') ? c.slice(7) : null);

export function paletteCss(i: number): string {
  const c = PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length]!;
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

export function categoricalColours(classes: ArrayLike<number> | null, n: number, out = new Uint8Array(n * 3)): Uint8Array {
  for (let i = 0; i < n; i++) {
    const k = classes ? classes[i]! : -1;
    const c = k >= 0 ? PALETTE[k % PALETTE.length]! : [150, 150, 150];
    out[i * 3] = c[0]!; out[i * 3 + 1] = c[1]!; out[i * 3 + 2] = c[2]!;
  }
  return out;
}

export function correctnessColours(labels: ArrayLike<number> | null, predictions: ArrayLike<number> | null, n: number): Uint8Array {
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const ok = labels && predictions ? labels[i] === predictions[i] : null;
    const c = ok === null ? [150, 150, 150] : ok ? [70, 180, 90] : [230, 60, 60];
    out[i * 3] = c[0]!; out[i * 3 + 1] = c[1]!; out[i * 3 + 2] = c[2]!;
  }
  return out;
}

/** Smallest and largest finite value (null when there is none). */
export function scalarRange(values: ArrayLike<number>, n: number): { min: number; max: number } | null {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n; i++) { const v = values[i]!; if (!Number.isFinite(v)) continue; if (v < lo) lo = v; if (v > hi) hi = v; }
  return Number.isFinite(lo) && Number.isFinite(hi) ? { min: lo, max: hi } : null;
}

/** Scalar values through a 256×3 LUT, scaled range.min..range.max (NaN grey). */
export function scalarColours(values: ArrayLike<number>, n: number, lut: Uint8Array, range = scalarRange(values, n)): Uint8Array {
  const lo = range?.min ?? 0, hi = range?.max ?? 1;
  const span = hi > lo ? hi - lo : 1, out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) { out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = 150; continue; }
    const t = Math.max(0, Math.min(255, Math.round(((v - lo) / span) * 255)));
    out[i * 3] = lut[t * 3]!; out[i * 3 + 1] = lut[t * 3 + 1]!; out[i * 3 + 2] = lut[t * 3 + 2]!;
  }
  return out;
}
