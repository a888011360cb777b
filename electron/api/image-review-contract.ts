// The radiograph-review part of the API (heatmaps helper): one method that decodes an image for
// interactive display — DICOM modality values with the file's windows and pixel spacing, or the
// raw samples of 8/16-bit PNG/TIFF — so the renderer can window it without a round trip per drag.
// Merged into contract.ts like the other parts; imports nothing from contract.ts at run time.
import { z } from 'zod';
import { explainInputSchema } from './explain-contract.ts';

export const imageReviewRequestSchemas = {
  /** Decode an image (sample, granted path or dropped bytes) into display values and windows. */
  loadImageForReview: z.object({
    source: explainInputSchema,
    /** Larger images are sampled every `step` pixels so that width×height ≤ maxPixels. */
    maxPixels: z.number().int().min(1024).max(4096 * 4096).optional(),
  }).strict(),
} as const;

export interface ReviewWindow { center: number; width: number; fn: 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID'; explanation?: string }

export interface ReviewImage {
  name: string;
  kind: 'dicom' | 'image' | 'sample';
  /** The decoded image's own size (what the explain geometry calls `original`). */
  original: { width: number; height: number };
  /** The values' grid: original sampled every `step` pixels. */
  width: number;
  height: number;
  step: number;
  channels: 1 | 3;
  /** Modality values (DICOM, after the modality LUT) or raw samples, interleaved, height×width×channels. */
  values: Float32Array;
  /** Smallest and largest value (the full display range). */
  range: { min: number; max: number };
  /** Windows recorded in the file (DICOM), else one spanning the range; the first is the default. */
  windows: ReviewWindow[];
  /** MONOCHROME1: higher values display darker (invert after windowing). */
  invert: boolean;
  /** Millimetres per original pixel [row, column], when the file says. */
  pixelSpacing?: [number, number];
  bitDepth: number;
  modality?: string;
  photometric?: string;
}

export interface ImageReviewResponses {
  loadImageForReview: ReviewImage;
}
