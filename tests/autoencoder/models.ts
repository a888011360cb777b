// Tiny autoencoders with known answers, built with core/onnx/builder.ts.
import { GraphBuilder } from '../../core/onnx/builder.ts';
import type { ModelProto } from '../../core/onnx/proto.ts';
import type { Attrs } from '../../core/onnx/builder.ts';
import { PREPROCESSING_KEY } from '../../core/data/types.ts';

/** A node whose output tensor is named like the node. */
const op = (g: GraphBuilder, type: string, inputs: string[], attrs: Attrs, name: string) => g.node(type, inputs, attrs, { name, outputs: [name] })[0]!;

const unitPrep = (h: number, w: number) => JSON.stringify({ size: [h, w], channels: 1, mean: [0], std: [1], preset: 'unit', resize: 'stretch' });

/**
 * Identity on the subspace of the first k pixels: code = x[0..k), reconstruction = code in those pixels,
 * 0 elsewhere. Images that are 0 outside the first k pixels reconstruct exactly; others do not.
 */
export function subspaceAutoencoder(h: number, w: number, k: number, batch: number | 'N' = 'N'): ModelProto {
  const d = h * w;
  const g = new GraphBuilder('subspace-ae');
  const x = g.input('image', [batch, 1, h, w]);
  const flat = op(g, 'Flatten', [x], { axis: 1 }, 'flat');
  const e = new Float32Array(d * k);
  for (let i = 0; i < k; i++) e[i * k + i] = 1;
  const dm = new Float32Array(k * d);
  for (let i = 0; i < k; i++) dm[i * d + i] = 1;
  const code = op(g, 'MatMul', [flat, g.initializer('E', e, [d, k])], {}, 'code');
  const back = op(g, 'MatMul', [code, g.initializer('D', dm, [k, d])], {}, 'back');
  const shape = g.initializer('shape', BigInt64Array.from([-1n, 1n, BigInt(h), BigInt(w)]), [4]);
  const out = op(g, 'Reshape', [back, shape], {}, 'recon');
  g.output(out, [batch, 1, h, w]);
  return g.build({ metadata: { [PREPROCESSING_KEY]: unitPrep(h, w) } });
}

/** U-Net-like: a = Conv1×1(x); b = MaxPool2(a) (smallest); c = ConvTranspose2(b); out = c + a (skip around b). */
export function skipModel(): ModelProto {
  const g = new GraphBuilder('skip');
  const x = g.input('image', ['N', 1, 4, 4]);
  const a = op(g, 'Conv', [x, g.initializer('wa', new Float32Array([1]), [1, 1, 1, 1])], {}, 'a');
  const b = op(g, 'MaxPool', [a], { kernel_shape: [2, 2], strides: [2, 2] }, 'b');
  const c = op(g, 'ConvTranspose', [b, g.initializer('wc', new Float32Array([1, 1, 1, 1]), [1, 1, 2, 2])], { strides: [2, 2] }, 'c');
  const out = op(g, 'Add', [c, a], {}, 'out');
  g.output(out, ['N', 1, 4, 4]);
  return g.build({ metadata: { [PREPROCESSING_KEY]: unitPrep(4, 4) } });
}

/** Decoder half of subspaceAutoencoder(h, w, 4) that takes its code as [N, 1, 2, 2] instead of [N, 4]. */
export function gridDecoder(h: number, w: number): ModelProto {
  const d = h * w, k = 4;
  const g = new GraphBuilder('grid-decoder');
  const z = g.input('z', ['N', 1, 2, 2]);
  const zf = op(g, 'Flatten', [z], { axis: 1 }, 'zf');
  const dm = new Float32Array(k * d);
  for (let i = 0; i < k; i++) dm[i * d + i] = 1;
  const back = op(g, 'MatMul', [zf, g.initializer('D', dm, [k, d])], {}, 'back');
  const out = op(g, 'Reshape', [back, g.initializer('shape', BigInt64Array.from([-1n, 1n, BigInt(h), BigInt(w)]), [4])], {}, 'recon');
  g.output(out, ['N', 1, h, w]);
  return g.build();
}
