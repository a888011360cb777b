// Targets (losses, element, weighted-sum), graph plumbing (extra inputs, accumulation, pruning) and errors.
import { describe, it, expect } from 'vitest';
import { GraphBuilder } from '../../core/onnx/builder.ts';
import { buildGradientModel } from '../../core/autodiff/index.ts';
import { checkGradients, runGradients, summary, randn, rng, session } from './fd.ts';
import { awayFromZero } from './cases.ts';
import * as ort from 'onnxruntime-node';
import { tensorFloats } from '../../core/onnx/tensor-proto.ts';

/** x[N,4,6,6] → Conv(3x3, stride 2, pad 1) → Relu → MaxPool 2 → Flatten → Gemm(transB) → logits [N,5]. */
function smallNet(n: number) {
  const r = rng(21);
  const b = new GraphBuilder('net');
  const x = b.input('x', [n, 4, 6, 6]);
  const w = b.initializer('conv.w', randn(3 * 4 * 9, r, 0.4), [3, 4, 3, 3]);
  const cb = b.initializer('conv.b', randn(3, r, 0.1), [3]);
  const c = b.op('Conv', [x, w, cb], { strides: [2, 2], pads: [1, 1, 1, 1] }, 'conv');
  const a = b.op('Relu', [c], {}, 'relu');
  const p = b.op('MaxPool', [a], { kernel_shape: [2, 2], strides: [1, 1] }, 'pool');
  const f = b.op('Flatten', [p], {}, 'flat');
  const fw = b.initializer('fc.w', randn(5 * 12, r, 0.4), [5, 12]);
  const fb = b.initializer('fc.b', randn(5, r, 0.1), [5]);
  const logits = b.op('Gemm', [f, fw, fb], { transB: 1 }, 'fc');
  const prob = b.op('Softmax', [logits], { axis: 1 }, 'softmax');
  b.output(prob);
  return { model: b.build(), x, logits, conv: c, params: [w, cb, fw, fb], xdata: randn(n * 4 * 36, r) };
}

describe('loss targets', () => {
  it('softmax-cross-entropy: loss value matches an independent computation, gradients match FD', async () => {
    const net = smallNet(3);
    const labels = BigInt64Array.from([0n, 4n, 2n]);
    const req = { target: { kind: 'loss' as const, loss: 'softmax-cross-entropy' as const, tensor: net.logits, labelsInput: 'labels' }, wrt: [net.x, ...net.params, net.conv], initializersAsInputs: net.params };
    const feeds = { x: { data: net.xdata, dims: [3, 4, 6, 6] }, labels: { data: labels, dims: [3] } };
    const rs = await checkGradients(net.model, req, feeds, { eps: 1e-3 });
    expect(rs.every((r) => r.ok), summary(rs)).toBe(true);
    // Independent loss: run the forward model for the logits and do the softmax/NLL in float64.
    const gm = buildGradientModel(net.model, req);
    expect(gm.extraInputs.sort()).toEqual([...net.params, 'labels'].sort());
    const inputNames = gm.model.graph!.input.map((i) => i.name);
    for (const p of net.params) expect(inputNames).toContain(p);
    expect(gm.model.graph!.initializer.map((i) => i.name)).not.toContain(net.params[0]);
    const fwd = await session(net.model);
    const prob = (await fwd.run({ x: new ort.Tensor('float32', net.xdata, [3, 4, 6, 6]) }))[net.model.graph!.output[0]!.name]!.data as Float32Array;
    const expected = -[0, 1, 2].reduce((acc, i) => acc + Math.log(prob[i * 5 + Number(labels[i])]!), 0) / 3;
    const run = await runGradients(net.model, req, feeds);
    expect(run.target).toBeCloseTo(expected, 5);
    expect(run.target).toBeGreaterThan(0.1);
  });

  it('mse and l1 average over all elements', async () => {
    const r = rng(5);
    const b = new GraphBuilder('ae');
    const x = b.input('x', [2, 3]);
    const w = b.initializer('w', randn(12, r), [3, 4]);
    const h = b.op('MatMul', [x, w]);
    const y = b.op('Tanh', [h]);
    b.output(y);
    const model = b.build();
    const xdata = randn(6, r);
    const wv = tensorFloats(model.graph!.initializer[0]!);
    for (const loss of ['mse', 'l1'] as const) {
      // Targets far from the outputs keep l1 away from its kink.
      const labels = Float32Array.from(awayFromZero(8, r, 1.2, 2));
      const req = { target: { kind: 'loss' as const, loss, tensor: y, labelsInput: 'target' }, wrt: [x, w, h] };
      const feeds = { x: { data: xdata, dims: [2, 3] }, target: { data: labels, dims: [2, 4] } };
      const rs = await checkGradients(model, req, feeds);
      expect(rs.every((q) => q.ok), summary(rs)).toBe(true);
      // The loss value itself, computed here in float64.
      const run = await runGradients(model, req, feeds);
      let s = 0;
      for (let i = 0; i < 2; i++) for (let j = 0; j < 4; j++) {
        let acc = 0;
        for (let k = 0; k < 3; k++) acc += xdata[i * 3 + k]! * wv[k * 4 + j]!;
        const d = Math.tanh(acc) - labels[i * 4 + j]!;
        s += loss === 'mse' ? d * d : Math.abs(d);
      }
      expect(run.target).toBeCloseTo(s / 8, 5);
    }
  });

  it('element target: gradient is the row of the Jacobian', async () => {
    const net = smallNet(2);
    const req = { target: { kind: 'element' as const, tensor: net.logits, index: [1, 3] }, wrt: [net.x, net.params[2]!] };
    const rs = await checkGradients(net.model, req, { x: { data: net.xdata, dims: [2, 4, 6, 6] } }, { eps: 1e-3 });
    expect(rs.every((q) => q.ok), summary(rs)).toBe(true);
    // Batch item 0 does not influence logit [1,3].
    const run = await runGradients(net.model, req, { x: { data: net.xdata, dims: [2, 4, 6, 6] } });
    expect(run.values[net.x]!.slice(0, 144).every((v) => v === 0)).toBe(true);
    expect(run.values[net.x]!.slice(144).some((v) => v !== 0)).toBe(true);
  });
});

describe('graph plumbing', () => {
  it('sums gradients where a tensor feeds several consumers', async () => {
    const r = rng(9);
    const b = new GraphBuilder('fan');
    const x = b.input('x', [2, 3, 5, 5]);
    const w = b.initializer('w', randn(27 * 3, r, 0.3), [3, 3, 3, 3]);
    const c = b.op('Conv', [x, w], { pads: [1, 1, 1, 1] });
    const s = b.op('Add', [c, x]); // residual: x used twice
    const t = b.op('Mul', [s, x]); // and a third time
    const y = b.op('Tanh', [t]);
    b.output(y);
    const req = { target: { kind: 'weighted-sum' as const, tensor: y, weightsInput: 'W' }, wrt: [x, w, s] };
    const feeds = { x: { data: randn(150, r), dims: [2, 3, 5, 5] }, W: { data: randn(150, r), dims: [2, 3, 5, 5] } };
    const rs = await checkGradients(b.build(), req, feeds);
    expect(rs.every((q) => q.ok), summary(rs)).toBe(true);
  });

  it('prunes nodes off the wrt→target path and weight gradients nobody asked for', () => {
    const net = smallNet(1);
    const gm = buildGradientModel(net.model, { target: { kind: 'weighted-sum', tensor: net.logits, weightsInput: 'W' }, wrt: [net.conv], keepOutputs: false });
    const ops = gm.model.graph!.node.map((n) => n.opType);
    expect(ops).not.toContain('Softmax'); // not needed without keepOutputs
    // Gradient w.r.t. the conv output needs no Conv/ConvTranspose backward (nothing upstream asked for).
    expect(ops.filter((o) => o === 'Conv').length).toBe(1);
    expect(ops).not.toContain('ConvTranspose');
    expect(gm.model.graph!.output.map((o) => o.name)).toEqual([gm.targetOutput, gm.gradients[net.conv]]);
    expect(Number(gm.model.opsetImport[0]!.version)).toBeGreaterThanOrEqual(16);
  });

  it('returns exact zeros for a wrt tensor the target does not depend on', async () => {
    const b = new GraphBuilder('two');
    const x = b.input('x', [2]);
    const z = b.input('z', [3]);
    const y = b.op('Tanh', [x]);
    const u = b.op('Sigmoid', [z]);
    b.output(y); b.output(u);
    const run = await runGradients(b.build(), { target: { kind: 'weighted-sum', tensor: y, weightsInput: 'W' }, wrt: [z, x] },
      { x: { data: Float32Array.from([0.5, -1]), dims: [2] }, z: { data: new Float32Array(3), dims: [3] }, W: { data: Float32Array.from([1, 1]), dims: [2] } });
    expect(Array.from(run.values[z]!)).toEqual([0, 0, 0]);
    expect(run.values[x]![0]).toBeCloseTo(1 - Math.tanh(0.5) ** 2, 6);
  });

  it('names the op and node when a gradient is missing, and rejects unknown tensors', () => {
    const b = new GraphBuilder('bad');
    const x = b.input('x', [4]);
    const y = b.op('Cosh', [x], {}, 'my_cosh');
    b.output(y);
    const m = b.build();
    expect(() => buildGradientModel(m, { target: { kind: 'weighted-sum', tensor: y, weightsInput: 'W' }, wrt: [x] }))
      .toThrow('autodiff: no gradient for op "Cosh" (node "my_cosh")');
    expect(() => buildGradientModel(m, { target: { kind: 'weighted-sum', tensor: 'nope', weightsInput: 'W' }, wrt: [x] })).toThrow(/target tensor "nope"/);
    expect(() => buildGradientModel(m, { target: { kind: 'weighted-sum', tensor: y, weightsInput: 'W' }, wrt: [x], initializersAsInputs: ['q'] })).toThrow(/not an initializer/);
    expect(() => buildGradientModel(m, { target: { kind: 'element', tensor: y, index: [7] }, wrt: [x] })).toThrow(/outside tensor/);
  });

  it('upgrades an opset-11 model to opset 17 without changing its forward outputs', async () => {
    const r = rng(12);
    const b = new GraphBuilder('old', 11);
    const x = b.input('x', [2, 3, 4]);
    const u = b.op('Unsqueeze', [x], { axes: [1] }); // [2,1,3,4]
    const sm = b.op('Softmax', [u], { axis: 2 }); // old semantics: over the flattened [3,4]
    const [p, q] = b.node('Split', [sm], { axis: 3, split: [1, 3] }, { outputs: 2 });
    const rs = b.op('ReduceSum', [q!], { axes: [3], keepdims: 0 });
    const y = b.op('Add', [rs, b.op('Squeeze', [p!], { axes: [3] })]);
    b.output(y);
    b.output(sm);
    const model = b.build();
    const xdata = randn(24, r, 2);
    const before = await (await session(model)).run({ x: new ort.Tensor('float32', xdata, [2, 3, 4]) });
    const nodesBefore = model.graph!.node.length, initsBefore = model.graph!.initializer.length;
    const gm = buildGradientModel(model, { target: { kind: 'weighted-sum', tensor: y, weightsInput: 'W' }, wrt: [x] });
    expect(Number(gm.model.opsetImport[0]!.version)).toBe(17);
    // The caller's model is left as it was.
    expect(Number(model.opsetImport[0]!.version)).toBe(11);
    expect([model.graph!.node.length, model.graph!.initializer.length]).toEqual([nodesBefore, initsBefore]);
    expect(model.graph!.node.find((n) => n.opType === 'Unsqueeze')!.input.length).toBe(1);
    const wdata = randn(6, r);
    const after = await (await session(gm.model)).run({ x: new ort.Tensor('float32', xdata, [2, 3, 4]), W: new ort.Tensor('float32', wdata, [2, 1, 3]) });
    for (const name of [y, sm]) {
      const a0 = before[name]!.data as Float32Array, a1 = after[name]!.data as Float32Array;
      expect(a1.length).toBe(a0.length);
      for (let i = 0; i < a0.length; i++) expect(a1[i]).toBeCloseTo(a0[i]!, 6);
    }
    // The old-style softmax sums to 1 over the 12 flattened elements of each item.
    const smv = before[sm]!.data as Float32Array;
    expect(smv.slice(0, 12).reduce((s2, v) => s2 + v, 0)).toBeCloseTo(1, 5);
    const res = await checkGradients(model, { target: { kind: 'weighted-sum', tensor: y, weightsInput: 'W' }, wrt: [x] },
      { x: { data: xdata, dims: [2, 3, 4] }, W: { data: wdata, dims: [2, 1, 3] } });
    expect(res.every((q2) => q2.ok), summary(res)).toBe(true);
  });

  it('rejects models older than opset 11 with advice', () => {
    const b = new GraphBuilder('older', 9);
    const x = b.input('x', [2]);
    const y = b.op('Tanh', [x]);
    b.output(y);
    expect(() => buildGradientModel(b.build(), { target: { kind: 'weighted-sum', tensor: y, weightsInput: 'W' }, wrt: [x] })).toThrow(/opset 9 is older than 11.*re-export/);
  });
});
