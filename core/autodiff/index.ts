// Public entry of core/autodiff.
export { buildGradientModel, topoSort, MIN_GRADIENT_OPSET } from './gradient.ts';
export type { GradTarget, GradientRequest, GradientModel } from './types.ts';
