// Point colours: a 10-colour categorical palette (Tableau 10) for labels/predictions, green/red for
// correctness, and a colour-map LUT for a scalar.

export const PALETTE: readonly [number, number, number][] = [
  [78, 121, 167], [242, 142, 43], [225, 87, 89], [118, 183, 178], [89, 161, 79],
  [237, 201, 72], [176, 122, 161], [255, 157, 167], [156, 117, 95], [186, 176, 172],
];

export type ColourBy = 'label' | 'prediction' | 'correct' | 'scalar';

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

/** Scalar values through a 256×3 LUT, scaled min..max. */
export function scalarColours(values: ArrayLike<number>, n: number, lut: Uint8Array): Uint8Array {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n; i++) { const v = values[i]!; if (v < lo) lo = v; if (v > hi) hi = v; }
  const span = hi > lo ? hi - lo : 1, out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const t = Math.max(0, Math.min(255, Math.round(((values[i]! - lo) / span) * 255)));
    out[i * 3] = lut[t * 3]!; out[i * 3 + 1] = lut[t * 3 + 1]!; out[i * 3 + 2] = lut[t * 3 + 2]!;
  }
  return out;
}
