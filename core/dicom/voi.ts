// DICOM display pipeline after the modality LUT (PS3.3 C.11.2): VOI LUT — a window
// (LINEAR, LINEAR_EXACT or SIGMOID) or a VOI LUT table — then the presentation: MONOCHROME1 is
// inverted so that higher values show darker. Output is display intensity in [0, 1].
import type { DicomImage } from './read.ts';

export type VoiFunction = 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';
export interface Window { center: number; width: number; fn: VoiFunction }
export interface VoiLut { first: number; bits: number; data: Float32Array; explanation?: string }

/** Window a value to [0, 1] with the formulas of PS3.3 C.11.2.1.2 (ymin = 0, ymax = 1). */
export function windowValue(x: number, w: Window): number {
  const { center: c, width } = w;
  switch (w.fn) {
    case 'LINEAR': {
      // C.11.2.1.2.1: width must be ≥ 1.
      const wd = Math.max(1, width);
      if (x <= c - 0.5 - (wd - 1) / 2) return 0;
      if (x > c - 0.5 + (wd - 1) / 2) return 1;
      return wd === 1 ? 1 : (x - (c - 0.5)) / (wd - 1) + 0.5;
    }
    case 'LINEAR_EXACT': {
      if (!(width > 0)) throw new Error('LINEAR_EXACT window width must be > 0');
      if (x <= c - width / 2) return 0;
      if (x > c + width / 2) return 1;
      return (x - c) / width + 0.5;
    }
    case 'SIGMOID':
      return 1 / (1 + Math.exp((-4 * (x - c)) / width));
  }
}

export function applyWindow(values: Float32Array, w: Window, out = new Float32Array(values.length)): Float32Array {
  for (let i = 0; i < values.length; i++) out[i] = windowValue(values[i]!, w);
  return out;
}

export function applyVoiLut(values: Float32Array, lut: VoiLut, out = new Float32Array(values.length)): Float32Array {
  const max = 2 ** lut.bits - 1;
  for (let i = 0; i < values.length; i++) {
    const k = Math.round(values[i]!) - lut.first;
    out[i] = lut.data[k <= 0 ? 0 : k >= lut.data.length ? lut.data.length - 1 : k]! / max;
  }
  return out;
}

/** A window spanning the image's modality value range (when the file records none). */
export function minMaxWindow(values: Float32Array): Window {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) { if (v < lo) lo = v; if (v > hi) hi = v; }
  if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
  const width = Math.max(1, hi - lo + 1);
  return { center: lo + (hi - lo + 1) / 2, width, fn: 'LINEAR' };
}

export type VoiChoice = { kind: 'window'; window: Window } | { kind: 'file-window'; index?: number } | { kind: 'lut'; index?: number } | { kind: 'minmax' };

export interface DisplayImage {
  /** Display intensity in [0, 1], rows×columns (gray) or rows×columns×3 interleaved (RGB). */
  data: Float32Array;
  height: number;
  width: number;
  channels: 1 | 3;
  /** The window applied (undefined when a VOI LUT table was used). */
  window?: Window;
  voi: string;
}

/**
 * The image as it should be displayed (and fed to a model): default VOI is the file's first
 * VOI LUT table when present (the standard gives it precedence only when chosen; we prefer
 * the first window, then the first LUT, then min–max), MONOCHROME1 inverted.
 */
export function displayImage(img: DicomImage, choice?: VoiChoice): DisplayImage {
  const c: VoiChoice = choice ?? (img.windows.length ? { kind: 'file-window', index: 0 } : img.voiLuts.length ? { kind: 'lut', index: 0 } : { kind: 'minmax' });
  let data: Float32Array, window: Window | undefined, voi: string;
  if (img.samplesPerPixel === 3) {
    // Colour images carry no VOI: scale stored values to [0, 1].
    const max = 2 ** img.bitsStored - 1;
    data = Float32Array.from(img.stored, (v) => v / max);
    voi = 'none (colour)';
  } else if (c.kind === 'lut') {
    const lut = img.voiLuts[c.index ?? 0];
    if (!lut) throw new Error(`this DICOM file has no VOI LUT ${c.index ?? 0}`);
    data = applyVoiLut(img.modality, lut);
    voi = `VOI LUT${lut.explanation ? ` (${lut.explanation})` : ''}`;
  } else {
    window = c.kind === 'window' ? c.window : c.kind === 'file-window' ? img.windows[c.index ?? 0] : minMaxWindow(img.modality);
    if (!window) throw new Error(`this DICOM file has no window ${c.kind === 'file-window' ? c.index ?? 0 : ''}`);
    data = applyWindow(img.modality, window);
    voi = `${window.fn} window C ${window.center} W ${window.width}`;
  }
  if (img.photometric === 'MONOCHROME1') for (let i = 0; i < data.length; i++) data[i] = 1 - data[i]!;
  return { data, height: img.rows, width: img.columns, channels: img.samplesPerPixel, window, voi };
}

/** Common presets for interactive windowing (modality units; CT in Hounsfield units). */
export const WINDOW_PRESETS: Record<string, Window> = {
  'CT bone': { center: 400, width: 1800, fn: 'LINEAR' },
  'CT lung': { center: -600, width: 1500, fn: 'LINEAR' },
  'CT soft tissue': { center: 40, width: 400, fn: 'LINEAR' },
  'CT brain': { center: 40, width: 80, fn: 'LINEAR' },
};
