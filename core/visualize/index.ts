// Public entry of core/visualize: feature visualisation by gradient ascent on the input.
export { visualizeFeature, totalVariation, resolveTensor, rng, VisualizeError } from './visualize.ts';
export type { VisualizeOptions, VisualizeResult, VisualizeProgress } from './visualize.ts';
export { FourierBasis, hartleyMatrix } from './fourier.ts';
export { roll, rollAdjoint, affineTaps, affineApply, affineAdjoint, drawTransform, applyDraw, adjointDraw } from './transforms.ts';
export type { Affine, Taps, Draw, TransformOptions } from './transforms.ts';
export { colourMatrixFromPixels, cholesky3, sampleColourMatrix, applyColour, colourAdjoint, IDENTITY3 } from './colour.ts';
