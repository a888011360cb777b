// Receptive fields checked against onnxruntime: with positive weights and no biases, output unit (i, j)
// changes when input pixel p is set to 1 exactly when p lies in its receptive field. One batch of
// one-hot images measures the window; it must equal the analysed size/start/jump (clipped to the image).
import { describe, it, expect } from 'vitest';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../core/onnx/builder.ts';
import { TensorProto_DataType as DT } from '../../core/onnx/proto.ts';
import type { ModelProto } from '../../core/onnx/proto.ts';
import { exposeOutputs } from '../../core/onnx/expose.ts';
import { saveModelBytes } from '../../core/onnx/save.ts';
import { analyzeModel } from '../../core/analysis/summary.ts';
import { lenet5 } from './models.ts';
import { weight } from './helpers.ts';

/** Replace every float initializer by positive values so influences cannot cancel. */
function positive(m: ModelProto): ModelProto {
  for (const t of m.graph!.initializer) {
    if (t.dataType !== DT.FLOAT) continue;
    const v = new Float32Array(t.rawData.slice().buffer);
    for (let i = 0; i < v.length; i++) v[i] = 0.1 + Math.abs(v[i]!);
    t.rawData = new Uint8Array(v.buffer);
  }
  return m;
}

interface Box { lo: [number, number]; hi: [number, number] }

/** Bounding box of input pixels whose one-hot image changes unit (centre) of each named tensor. */
async function measure(model: ModelProto, names: string[], size: number): Promise<Map<string, { box: Box; unit: [number, number] }>> {
  const s = await ort.InferenceSession.create(saveModelBytes(exposeOutputs(model, names)));
  const n = size * size;
  const data = new Float32Array(n * n);
  for (let p = 0; p < n; p++) data[p * n + p] = 1;
  const out = await s.run({ [s.inputNames[0]!]: new ort.Tensor('float32', data, [n, 1, size, size]) });
  const zero = await s.run({ [s.inputNames[0]!]: new ort.Tensor('float32', new Float32Array(n), [1, 1, size, size]) });
  await s.release();
  const result = new Map<string, { box: Box; unit: [number, number] }>();
  for (const name of names) {
    const t = out[name]!, z = zero[name]!.data as Float32Array;
    const [, c, h, w] = t.dims as number[];
    const unit: [number, number] = [Math.floor(h! / 2), Math.floor(w! / 2)];
    const off = unit[0] * w! + unit[1];
    const per = c! * h! * w!;
    const box: Box = { lo: [Infinity, Infinity], hi: [-Infinity, -Infinity] };
    for (let p = 0; p < n; p++) {
      if (Math.abs((t.data as Float32Array)[p * per + off]! - z[off]!) < 1e-7) continue;
      const y = Math.floor(p / size), x = p % size;
      box.lo = [Math.min(box.lo[0], y), Math.min(box.lo[1], x)];
      box.hi = [Math.max(box.hi[0], y), Math.max(box.hi[1], x)];
    }
    result.set(name, { box, unit });
  }
  return result;
}

async function check(model: ModelProto, layers: string[], size: number, tolerance = 0): Promise<void> {
  const s = analyzeModel(model);
  const byName = new Map(s.layers.map((l) => [l.name, l]));
  const tensors = layers.map((l) => byName.get(l)!.outputs[0]!);
  const measured = await measure(model, tensors, size);
  layers.forEach((l, k) => {
    const rf = byName.get(l)!.receptiveField!;
    const { box, unit } = measured.get(tensors[k]!)!;
    for (const a of [0, 1] as const) {
      const centre = rf.start[a] + unit[a] * rf.jump[a];
      const what = `${l} axis ${a}: rf ${JSON.stringify(rf)} unit ${unit}`;
      if (tolerance > 0) {
        // Same width, centre off by at most `tolerance` pixels.
        expect(box.hi[a] - box.lo[a] + 1, what).toBe(rf.size[a]);
        expect(Math.abs((box.lo[a] + box.hi[a]) / 2 - centre), what).toBeLessThanOrEqual(tolerance);
        continue;
      }
      const lo = Math.max(0, Math.ceil(centre - (rf.size[a] - 1) / 2));
      const hi = Math.min(size - 1, Math.floor(centre + (rf.size[a] - 1) / 2));
      expect([box.lo[a], box.hi[a]], what).toEqual([lo, hi]);
    }
  });
}

describe('receptive fields match onnxruntime perturbation', () => {
  it('LeNet-5 (convs, average pools, tanh)', async () => {
    const m = positive(lenet5());
    for (const n of m.graph!.node) if (n.opType === 'Conv') n.input = n.input.slice(0, 2); // no bias
    await check(m, ['c1', 's2', 'c3', 's4', 'c5'], 32);
  });

  it('dilation, asymmetric pads, stride-2 SAME conv, residual add, ceil-mode max pool', async () => {
    const b = new GraphBuilder('t');
    const x = b.input('x', ['N', 1, 28, 28]);
    const a = b.op('Conv', [x, weight(b, 'w1', [2, 1, 3, 3])], { dilations: [2, 2], pads: [2, 1, 2, 3] }, 'dil');
    const c = b.op('Conv', [a, weight(b, 'w2', [2, 2, 3, 3])], { strides: [2, 2], auto_pad: 'SAME_UPPER' }, 'same2');
    const sc = b.op('Conv', [x, weight(b, 'w3', [2, 1, 1, 1])], { strides: [2, 2] }, 'shortcut');
    const sum = b.op('Add', [c, sc], {}, 'add');
    const p = b.op('MaxPool', [sum], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }, 'pool');
    const q = b.op('Conv', [p, weight(b, 'w4', [2, 2, 5, 3])], { pads: [2, 1, 2, 1] }, 'rect');
    b.output(q);
    await check(positive(b.build()), ['dil', 'same2', 'shortcut', 'add', 'pool', 'rect'], 28);
  });

  it('ConvTranspose (stride 2, k 4): size exact, window within half an input step', async () => {
    const b = new GraphBuilder('t');
    const x = b.input('x', ['N', 1, 24, 24]);
    const d = b.op('Conv', [x, weight(b, 'w1', [2, 1, 3, 3])], { strides: [2, 2], pads: [1, 1, 1, 1] }, 'down');
    const u = b.op('ConvTranspose', [d, weight(b, 'w2', [2, 1, 4, 4])], { strides: [2, 2], pads: [1, 1, 1, 1] }, 'up');
    b.output(u);
    const m = positive(b.build());
    await check(m, ['down'], 24);
    // Even output units take inputs centred half an input step (1 px here) off the average centre.
    await check(m, ['up'], 24, 1);
  });
});
