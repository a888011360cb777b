// The gradient rule table, and which inputs of each op carry gradients.
import type { GradRule } from './context.ts';
import { elementwiseRules } from './elementwise.ts';
import { linearRules } from './linear.ts';
import { poolRules } from './pool.ts';
import { normRules } from './norm.ts';
import { shapeRules } from './shape.ts';
import { extraRules } from './extra.ts';

export const GRAD_RULES: Record<string, GradRule> = {
  ...elementwiseRules, ...linearRules, ...poolRules, ...normRules, ...shapeRules, ...extraRules,
};

/** Inputs that carry gradients (default: all). Shape/axes/index inputs do not. */
const DIFF_INPUTS: Record<string, number[]> = {
  Reshape: [0], Expand: [0], Tile: [0], Pad: [0], Slice: [0], Resize: [0], Upsample: [0], Squeeze: [0], Unsqueeze: [0],
  Split: [0], Clip: [0], Dropout: [0], ReduceSum: [0], ReduceMean: [0], ReduceMax: [0], ReduceMin: [0], ReduceL2: [0], ReduceSumSquare: [0], ReduceLogSumExp: [0], MaxPool: [0], Gather: [0],
  GatherElements: [0], GatherND: [0], ConstantOfShape: [], Shape: [], Size: [], Range: [], NonZero: [], ArgMax: [], ArgMin: [],
  Equal: [], Greater: [], Less: [], GreaterOrEqual: [], LessOrEqual: [], And: [], Or: [], Not: [], Xor: [],
  Constant: [], RandomNormalLike: [], RandomUniformLike: [], Where: [1, 2], TopK: [0],
};

export function differentiableInputs(op: string, nInputs: number): number[] {
  return DIFF_INPUTS[op] ?? Array.from({ length: nInputs }, (_, i) => i);
}
