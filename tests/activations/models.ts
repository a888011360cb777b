// Small constructed models with known answers for the activation and dataset-example tests.
import { GraphBuilder } from '../../core/onnx/builder.ts';
import type { ModelProto } from '../../core/onnx/proto.ts';
import { PREPROCESSING_KEY } from '../../core/data/types.ts';
import type { SampleDataset } from '../../core/activations/samples.ts';

/** A 5×5 plus sign (1 on the middle row and column). */
export const PLUS = Float32Array.from({ length: 25 }, (_, i) => (Math.floor(i / 5) === 2 || i % 5 === 2 ? 1 : 0));

/**
 * input [N,1,28,28] → Conv 5×5 (kernel = PLUS minus its mean, no padding) → "detect" [N,1,24,24]
 * → Relu → GlobalMaxPool → Flatten: the plus detector fires where a plus is planted.
 */
export function plusDetector(): ModelProto {
  const b = new GraphBuilder('plus');
  const x = b.input('input', ['N', 1, 28, 28]);
  const mean = PLUS.reduce((a, v) => a + v, 0) / 25;
  const w = b.initializer('w', PLUS.map((v) => v - mean), [1, 1, 5, 5]);
  const c = b.node('Conv', [x, w], { kernel_shape: [5, 5] }, { name: 'detect', outputs: ['detect'] })[0]!;
  const r = b.node('Relu', [c], {}, { name: 'relu', outputs: ['relu'] })[0]!;
  const p = b.node('GlobalMaxPool', [r], {}, { name: 'gmp', outputs: ['gmp'] })[0]!;
  const f = b.node('Flatten', [p], { axis: 1 }, { name: 'flat', outputs: ['score'] })[0]!;
  b.output(f, ['N', 1]);
  return b.build({ metadata: { [PREPROCESSING_KEY]: JSON.stringify({ size: [28, 28], channels: 1, mean: [0], std: [1], preset: 'unit', resize: 'stretch' }) } });
}

export interface Plant { index: number; y: number; x: number; intensity: number }

/** 28×28 gray images of faint deterministic noise with plus signs planted at known places. */
export function plantedDataset(count: number, plants: Plant[]): SampleDataset {
  const images = new Uint8Array(count * 784);
  let s = 12345;
  for (let i = 0; i < images.length; i++) { s = (s * 1103515245 + 12345) >>> 0; images[i] = (s >>> 16) % 20; }
  for (const p of plants) {
    for (let k = 0; k < 25; k++) if (PLUS[k]) images[p.index * 784 + (p.y + Math.floor(k / 5)) * 28 + p.x + (k % 5)] = Math.round(255 * p.intensity);
  }
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  return {
    id: 'mnist-test', title: 'planted', count, height: 28, width: 28, channels: 1, classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    pixels: (i) => images.subarray(i * 784, (i + 1) * 784),
    label: (i) => labels[i]!,
  };
}
