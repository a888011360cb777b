import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../core/onnx/builder.ts';
import { ModelProtoSchema, toBinary } from '../../core/onnx/proto.ts';
import { Runtime, CancelledError, WorkerCrashError, type RuntimeModel } from '../../core/runtime/index.ts';
import type { Tensor } from '../../core/tensor.ts';

/** Conv → Relu → global average pool → Gemm: a small conv net with deterministic weights. */
function convNet(): Uint8Array {
  const g = new GraphBuilder('convnet');
  const x = g.input('x', ['N', 3, 16, 16]);
  const w = g.initializer('w', Float32Array.from({ length: 8 * 3 * 3 * 3 }, (_, i) => Math.sin(i) * 0.3), [8, 3, 3, 3]);
  const b = g.initializer('b', Float32Array.from({ length: 8 }, (_, i) => i * 0.01), [8]);
  const c = g.op('Conv', [x, w, b], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, 'conv');
  const r = g.op('Relu', [c], {}, 'relu');
  const p = g.op('GlobalAveragePool', [r], {}, 'gap');
  const f = g.op('Flatten', [p], {}, 'flat');
  const fw = g.initializer('fw', Float32Array.from({ length: 8 * 4 }, (_, i) => Math.cos(i) * 0.5), [8, 4]);
  const fb = g.initializer('fb', new Float32Array([0.1, -0.1, 0.2, 0]), [4]);
  g.output(g.op('Gemm', [f, fw, fb], {}, 'fc'), ['N', 4]);
  g.output(r, ['N', 8, 16, 16]);
  return toBinary(ModelProtoSchema, g.build());
}

const input = (n: number, seed = 1): Tensor<Float32Array> => ({
  dtype: 'float32', dims: [n, 3, 16, 16], data: Float32Array.from({ length: n * 3 * 256 }, (_, i) => Math.sin(i * 0.37 + seed)),
});

let rt: Runtime;
let model: RuntimeModel;
const bytes = convNet();

beforeAll(async () => {
  rt = await Runtime.create({ provider: 'cpu' });
  model = await rt.load(bytes, { name: 'convnet' });
});
afterAll(async () => { await rt.dispose(); });

describe('worker runtime', () => {
  it('reports input and output names and shapes', () => {
    expect(model.inputNames).toEqual(['x']);
    expect(model.outputNames).toEqual(['fc_out', 'relu_out']);
    expect(model.inputs[0]!.dims).toEqual(['N', 3, 16, 16]);
  });

  it('gives the same numbers as onnxruntime run in process', async () => {
    const x = input(2);
    const session = await ort.InferenceSession.create(bytes);
    const ref = await session.run({ x: new ort.Tensor('float32', x.data.slice(), [2, 3, 16, 16]) });
    const out = await model.run({ x });
    expect(out.fc_out!.dims).toEqual([2, 4]);
    expect(out.relu_out!.dims).toEqual([2, 8, 16, 16]);
    expect(Array.from(out.fc_out!.data as Float32Array)).toEqual(Array.from(ref.fc_out!.data as Float32Array));
    expect(Array.from(out.relu_out!.data as Float32Array)).toEqual(Array.from(ref.relu_out!.data as Float32Array));
    expect(out.fc_out!.data).toBeInstanceOf(Float32Array);
    // the caller's input survives (inputs are copied unless transferInputs)
    expect(x.data.length).toBe(2 * 3 * 256);
    await session.release();
  });

  it('fetches only the requested outputs; transferInputs moves the buffer', async () => {
    const x = input(1);
    const out = await model.run({ x }, { outputs: ['fc_out'], transferInputs: true });
    expect(Object.keys(out)).toEqual(['fc_out']);
    expect(x.data.length).toBe(0); // detached: moved to the worker
    await expect(model.run({ x: input(1) }, { outputs: ['nope'] })).rejects.toThrow(/has no output 'nope'/);
    await expect(model.run({ y: input(1) })).rejects.toThrow(/has no input 'y'/);
  });

  it('reports onnxruntime errors (wrong shape) as a rejected call, and keeps working', async () => {
    await expect(model.run({ x: { dtype: 'float32', dims: [1, 3, 16], data: new Float32Array(48) } })).rejects.toThrow(/rank|dimension|Invalid/i);
    const out = await model.run({ x: input(1) });
    expect(out.fc_out!.dims).toEqual([1, 4]);
  });

  it('runBatches reports progress and equals single runs', async () => {
    const batches = [input(1, 1), input(2, 2), input(1, 3)].map((x) => ({ x }));
    const progress: [number, number][] = [];
    const res = await model.runBatches(batches, { outputs: ['fc_out'], onProgress: (d, t) => progress.push([d, t]) });
    expect(progress).toEqual([[1, 3], [2, 3], [3, 3]]);
    const single = await model.run({ x: input(2, 2) }, { outputs: ['fc_out'] });
    expect(Array.from(res[1]!.fc_out!.data as Float32Array)).toEqual(Array.from(single.fc_out!.data as Float32Array));
  });

  it('cancellation stops between batches', async () => {
    const ac = new AbortController();
    let made = 0;
    const src = { count: 10, get: (i: number) => { made++; return { x: input(1, i) }; } };
    const done: number[] = [];
    const err = await model.runBatches(src, { signal: ac.signal, onProgress: (d) => { done.push(d); if (d === 2) ac.abort(); } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledError);
    expect((err as Error).name).toBe('AbortError');
    expect(done).toEqual([1, 2]);
    expect(made).toBe(2); // batch 3 was never even produced
    await expect(model.run({ x: input(1) }, { signal: ac.signal })).rejects.toBeInstanceOf(CancelledError);
  });

  it('the caller event loop keeps turning while the worker computes', async () => {
    let fired = 0, stop = false;
    const x = input(256);
    const running = model.run({ x });
    const spin = () => { fired++; if (!stop) setImmediate(spin); };
    setImmediate(spin);
    const out = await running;
    stop = true;
    expect(out.fc_out!.dims).toEqual([256, 4]);
    // With the computation on this thread no setImmediate callback could run before it finished.
    expect(fired).toBeGreaterThan(0);
  });

  it('a worker crash rejects the pending call clearly and the next call restarts it', async () => {
    const x = input(1);
    const before = await model.run({ x });
    // The crash message is posted first, so the worker dies before it reads the run.
    const crashed = rt.crashWorkerForTest();
    const err = await model.run({ x: input(1) }).catch((e: unknown) => e);
    await crashed;
    expect(err).toBeInstanceOf(WorkerCrashError);
    expect((err as Error).message).toBe('the inference worker stopped unexpectedly (exit code 70); the pending call did not complete — calling again restarts the worker');
    const after = await model.run({ x });
    expect(Array.from(after.fc_out!.data as Float32Array)).toEqual(Array.from(before.fc_out!.data as Float32Array));
    expect(model.outputNames).toEqual(['fc_out', 'relu_out']);
  });

  it('aborting a run in flight rejects at once; later calls are unaffected', async () => {
    const ac = new AbortController();
    const heavy = model.run({ x: input(256) }, { signal: ac.signal });
    ac.abort();
    await expect(heavy).rejects.toBeInstanceOf(CancelledError);
    const out = await model.run({ x: input(2, 5) });
    expect(out.fc_out!.dims).toEqual([2, 4]);
  });

  it('a disposed model refuses to run', async () => {
    const m = await rt.load(bytes);
    await m.dispose();
    await expect(m.run({ x: input(1) })).rejects.toThrow(/was disposed/);
  });
});
