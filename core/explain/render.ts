// Saliency map → overlay PNG on the original image (colour map over the picture, aligned through
// the preprocessing geometry).
import sharp from 'sharp';
import type { ColormapName } from '../viz/colormap.ts';
import { overlay } from '../viz/grid.ts';
import { encodePng } from '../data/png.ts';
import type { ImageGeometry } from '../data/image.ts';
import { mapToOriginal } from './resize.ts';
import { displayRgba, type ExplainInput } from './input.ts';
import type { Preprocessing } from '../data/types.ts';

export interface OverlayOptions { colormap: ColormapName; opacity?: number; maxPixels?: number }

/**
 * `scaled` is the map at model-input resolution already normalised to [0, 1]; it is resampled
 * onto the original image (capped at maxPixels) and blended over it.
 */
export async function overlayPng(input: ExplainInput, scaled: Float32Array, geometry: ImageGeometry, prep: Pick<Preprocessing, 'mean' | 'std'>, shape: readonly [number, number, number], opts: OverlayOptions): Promise<Uint8Array> {
  const om = mapToOriginal(scaled, geometry, opts.maxPixels ?? 1024 * 1024);
  const base = await displayRgba(input, om.width, om.height, prep, shape);
  const img = overlay({ data: base, width: om.width, height: om.height }, om.data, { colormap: opts.colormap, opacity: opts.opacity ?? 0.5 });
  return encodePng({ width: img.width, height: img.height, channels: 4, data: new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.length) });
}

/** A small PNG (longest side `side`) for embedding in the HTML report. */
export async function thumbnail(png: Uint8Array, side = 224): Promise<Uint8Array> {
  const out = await sharp(png).resize(side, side, { fit: 'inside', withoutEnlargement: true }).png().toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}
