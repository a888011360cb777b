// Inference through the workbench Runtime (worker thread, typed-array transfer) vs a raw
// onnxruntime-node InferenceSession in the same process, same model and input. Runs alternate
// between the two (in blocks) so drift on a shared machine hits both equally.
import * as ort from 'onnxruntime-node';
import type { Bench } from './harness.ts';
import { median } from './harness.ts';
import { Runtime } from '../core/runtime/index.ts';
import { buildZooModel } from '../core/zoo/index.ts';
import { saveModelBytes } from '../core/onnx/save.ts';

async function compare(name: string, bytes: Uint8Array, dims: number[], blocks: number, perBlock: number) {
  const n = dims.reduce((a, b) => a * b, 1);
  const data = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.001));
  const raw = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  const rt = await Runtime.create({ provider: 'cpu' });
  const model = await rt.load(bytes, { name });
  const input = model.inputNames[0]!;
  const runRaw = async () => { await raw.run({ [raw.inputNames[0]!]: new ort.Tensor('float32', data, dims) }); };
  const runRt = async () => { await model.run({ [input]: { dtype: 'float32', dims, data } }); };
  for (let i = 0; i < 2; i++) { await runRaw(); await runRt(); } // warm-up: allocator arenas, thread pools
  // Blocks of runs, alternating which side goes first. Within a block only one side runs:
  // onnxruntime's idle thread pools spin for a while after a run and would otherwise slow
  // whichever session runs next (two pools on a 2-core machine), which says nothing about
  // the worker. The first run of each block is dropped for the same reason.
  const a: number[] = [], b: number[] = [], pairRatios: number[] = [];
  const block = async (f: () => Promise<void>): Promise<number[]> => {
    const ts: number[] = [];
    for (let i = 0; i <= perBlock; i++) {
      const t0 = performance.now();
      await f();
      if (i > 0) ts.push(performance.now() - t0);
    }
    return ts;
  };
  for (let r = 0; r < blocks; r++) {
    let x: number[], y: number[];
    if (r % 2) { x = await block(runRaw); y = await block(runRt); } else { y = await block(runRt); x = await block(runRaw); }
    a.push(...x); b.push(...y);
    // Adjacent blocks see nearly the same machine load, so their ratio is robust to drift.
    pairRatios.push(median(y) / median(x));
  }
  await raw.release();
  await rt.dispose();
  return { raw: median(a), runtime: median(b), ratio: median(pairRatios) };
}

const bench: Bench = async (report) => {
  const resnet = saveModelBytes(buildZooModel('resnet18', { batch: 1 }));
  const big = await compare('resnet18', resnet, [1, 3, 224, 224], 6, 3);
  report.row({ group: 'inference', name: 'resnet18 224 raw onnxruntime (median)', value: big.raw, unit: 'ms' });
  report.row({ group: 'inference', name: 'resnet18 224 Runtime worker (median)', value: big.runtime, unit: 'ms' });
  report.row({
    group: 'inference', name: 'resnet18 Runtime / raw (median of paired blocks)', value: big.ratio, unit: '×', target: '≤ 1.05', ok: big.ratio <= 1.05,
    note: `ratio of overall medians ${(big.runtime / big.raw).toFixed(3)}`,
  });

  const lenet = saveModelBytes(buildZooModel('lenet5', { batch: 1 }));
  const small = await compare('lenet5', lenet, [1, 1, 28, 28], 6, 20);
  report.row({
    group: 'inference', name: 'lenet5 per-call overhead of the worker', value: (small.runtime - small.raw) * 1000, unit: 'µs',
    note: `raw ${small.raw.toFixed(3)} ms, Runtime ${small.runtime.toFixed(3)} ms`,
  });
};

export default bench;
