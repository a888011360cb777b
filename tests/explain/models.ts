// Constructed networks whose correct explanations are known, for the explainer tests.
import { GraphBuilder } from '../../core/onnx/builder.ts';
import type { ModelProto } from '../../core/onnx/proto.ts';
import { Rng } from '../../core/explain/rng.ts';

/**
 * Looks only at the top-left quadrant of a 1×S×S image: the input is multiplied by a constant
 * quadrant mask, then conv 2×2/2 (2 channels, positive) → ReLU ("feat") → global average → two
 * logits ±32·mean (class 1 biased by 8: the class-0 probability is steepest when about half the quadrant is kept, which RISE's random masks do). Class 0 is evidence in the quadrant; nothing outside it can matter.
 */
export function quadrantModel(S = 32): ModelProto {
  const b = new GraphBuilder('quadrant');
  const x = b.input('input', ['N', 1, S, S]);
  const mask = new Float32Array(S * S);
  for (let y = 0; y < S / 2; y++) for (let i = 0; i < S / 2; i++) mask[y * S + i] = 1;
  const masked = b.op('Mul', [x, b.initializer('quadrant_mask', mask, [1, 1, S, S])], {}, 'mask');
  const w = Float32Array.from([0.25, 0.25, 0.25, 0.25, 0.1, 0.2, 0.3, 0.4]);
  const conv = b.op('Conv', [masked, b.initializer('conv.w', w, [2, 1, 2, 2]), b.initializer('conv.b', new Float32Array(2), [2])], { kernel_shape: [2, 2], strides: [2, 2] }, 'conv');
  const feat = b.op('Relu', [conv], {}, 'feat');
  const gap = b.op('GlobalAveragePool', [feat], {}, 'gap');
  const flat = b.op('Flatten', [gap], { axis: 1 }, 'flatten');
  const logits = b.op('Gemm', [flat, b.initializer('fc.w', Float32Array.from([32, 32, -32, -32]), [2, 2]), b.initializer('fc.b', Float32Array.from([0, 8]), [2])], { transB: 1 }, 'fc');
  b.output(logits, ['N', 2]);
  return b.build();
}

function rand(rng: Rng, n: number, scale: number): Float32Array {
  return Float32Array.from({ length: n }, () => scale * rng.normal());
}

/** The tail of `smallNet` from its layer "feat" ([N, 3, 8, 8]) to the logits. */
function addTail(b: GraphBuilder, feat: string, rng: Rng): string {
  const c2 = b.op('Conv', [feat, b.initializer('c2.w', rand(rng, 4 * 3 * 9, 0.4), [4, 3, 3, 3]), b.initializer('c2.b', rand(rng, 4, 0.1), [4])], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, 'c2');
  const r2 = b.op('Relu', [c2], {}, 'r2');
  const gap = b.op('GlobalAveragePool', [r2], {}, 'gap');
  const flat = b.op('Flatten', [gap], { axis: 1 }, 'flatten');
  const logits = b.op('Gemm', [flat, b.initializer('fc.w', rand(rng, 3 * 4, 1), [3, 4]), b.initializer('fc.b', rand(rng, 3, 0.1), [3])], { transB: 1 }, 'fc');
  b.output(logits, ['N', 3]);
  return logits;
}

/**
 * Input [N, 1, 8, 8] → conv3×3 (3) → ReLU "feat" → conv3×3 (4) → ReLU → GAP → Gemm (3 classes),
 * random weights (seeded); also its tail (feat → logits) for finite differences at the layer.
 */
export function smallNet(seed = 3): { full: ModelProto; tail: ModelProto } {
  const make = (withHead: boolean) => {
    const rng = new Rng(seed);
    const b = new GraphBuilder(withHead ? 'small' : 'small-tail');
    const w1 = rand(rng, 3 * 9, 0.5), b1 = rand(rng, 3, 0.1);
    let feat: string;
    if (withHead) {
      const x = b.input('input', ['N', 1, 8, 8]);
      const c1 = b.op('Conv', [x, b.initializer('c1.w', w1, [3, 1, 3, 3]), b.initializer('c1.b', b1, [3])], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, 'c1');
      feat = b.op('Relu', [c1], {}, 'feat');
    } else feat = b.input('feat', ['N', 3, 8, 8]);
    addTail(b, feat, rng);
    return b.build();
  };
  return { full: make(true), tail: make(false) };
}
