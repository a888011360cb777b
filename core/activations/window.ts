// Where a feature-map unit sits on the input image: the window of input pixels its receptive field
// covers. Used by the UI overlay (hovering a unit) and by dataset examples (cropping patches).
import type { ReceptiveField } from '../analysis/types.ts';

export interface UnitWindow {
  /** Clipped to the image, integer pixels; height/width may be 0 when the window misses the image. */
  top: number;
  left: number;
  height: number;
  width: number;
  /** Centre of the unit in input pixel coordinates (may be fractional or outside the image). */
  centre: [number, number];
  /** The whole window before clipping, inclusive pixel bounds (may reach into the padding). */
  full: { top: number; left: number; bottom: number; right: number };
}

/**
 * Window of input pixels seen by unit (y, x): centre = start + (y, x)·jump, side = rf size, i.e. the
 * pixels centre − (size−1)/2 … centre + (size−1)/2 (the convention of core/analysis/receptive-field.ts),
 * then clipped to the inputH × inputW image.
 */
export function unitWindow(rf: ReceptiveField, y: number, x: number, inputH: number, inputW: number): UnitWindow {
  const axis = (i: 0 | 1, u: number, limit: number) => {
    const centre = rf.start[i] + u * rf.jump[i];
    const half = (rf.size[i] - 1) / 2;
    // A tiny epsilon keeps exact half-integers (even kernels) from rounding the wrong way.
    const lo = Math.ceil(centre - half - 1e-9), hi = Math.floor(centre + half + 1e-9);
    const clo = Math.max(0, lo), chi = Math.min(limit - 1, hi);
    return { centre, lo, hi, start: clo, len: Math.max(0, chi - clo + 1) };
  };
  const a = axis(0, y, inputH), b = axis(1, x, inputW);
  return {
    top: a.len ? a.start : Math.min(Math.max(0, a.lo), inputH), left: b.len ? b.start : Math.min(Math.max(0, b.lo), inputW),
    height: a.len, width: b.len,
    centre: [a.centre, b.centre],
    full: { top: a.lo, left: b.lo, bottom: a.hi, right: b.hi },
  };
}
