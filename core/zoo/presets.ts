// Preprocessing and class names recorded with zoo models.
import { PRESETS, type Preprocessing } from '../data/types.ts';

/** ImageNet normalisation; the usual resize-256/crop-224 scaled to other input sizes. */
export function imagenetPreprocessing(size = 224): Preprocessing {
  return { size: [size, size], channels: 3, ...PRESETS.imagenet, resize: 'center-crop', resizeShorter: Math.round((size * 256) / 224) };
}

export function mnistPreprocessing(size = 28): Preprocessing {
  return { size: [size, size], channels: 1, ...PRESETS.mnist, resize: 'stretch' };
}

export function unitPreprocessing(size = 28, channels: 1 | 3 = 1): Preprocessing {
  return { size: [size, size], channels, ...PRESETS.unit, resize: 'stretch' };
}

/** No labels can be downloaded, so untrained ImageNet-shaped heads get placeholder names. */
export const IMAGENET_CLASS_NAMES: readonly string[] = Array.from({ length: 1000 }, (_, i) => `class ${i}`);
export const DIGIT_CLASS_NAMES: readonly string[] = Array.from({ length: 10 }, (_, i) => String(i));
