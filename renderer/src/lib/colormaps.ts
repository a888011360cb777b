// Colour maps from the host (the same 256×3 tables the CLI uses), fetched once per session.
import type { ColormapInfo, ReceptiveApi } from '../../../electron/api/contract.ts';

/** A gray ramp, used until the host's tables arrive (and if fetching them fails). */
export const GRAY: ColormapInfo = {
  name: 'gray',
  lut: (() => { const t = new Uint8Array(768); for (let i = 0; i < 256; i++) t[i * 3] = t[i * 3 + 1] = t[i * 3 + 2] = i; return t; })(),
};

let pending: Promise<ColormapInfo[]> | null = null;

export function loadColormaps(api: ReceptiveApi): Promise<ColormapInfo[]> {
  pending ??= api.getColormaps({}).then(
    (maps) => (maps.length ? maps : [GRAY]),
    (e: unknown) => { pending = null; throw e; },
  );
  return pending;
}

/** The LUT as packed little-endian RGBA words (alpha 255), so drawing writes one u32 per pixel. */
export function packedLut(map: ColormapInfo, alpha = 255): Uint32Array {
  const out = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    out[i] = ((alpha & 255) << 24) | (map.lut[i * 3 + 2]! << 16) | (map.lut[i * 3 + 1]! << 8) | map.lut[i * 3]!;
  }
  return out;
}

/** CSS colour of a LUT entry (for legends). */
export function lutCss(map: ColormapInfo, t: number): string {
  const i = Math.max(0, Math.min(255, Math.round(t * 255))) * 3;
  return `rgb(${map.lut[i]}, ${map.lut[i + 1]}, ${map.lut[i + 2]})`;
}
