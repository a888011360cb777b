// Cost of a gradient: ResNet-50 at 224×224 (zoo), gradient of a class logit (weighted sum) w.r.t. the
// layer4 output activation and the input, vs the plain forward pass — same machine, same run, CPU.
// Sessions run in alternating blocks so drift on a shared machine hits both equally.
import * as ort from 'onnxruntime-node';
import type { Bench } from './harness.ts';
import { median } from './harness.ts';
import { buildZooModel } from '../core/zoo/index.ts';
import { saveModelBytes } from '../core/onnx/save.ts';
import { buildGradientModel } from '../core/autodiff/index.ts';

const bench: Bench = async (report) => {
  const model = buildZooModel('resnet50', { batch: 1 });
  const g = model.graph!;
  const input = g.input[0]!.name;
  const logits = g.output[0]!.name;
  // layer4's output: the last Relu before global pooling.
  const pool = g.node.find((n) => n.opType === 'GlobalAveragePool')!;
  const layer4 = pool.input[0]!;
  const t0 = performance.now();
  const gm = buildGradientModel(model, { target: { kind: 'weighted-sum', tensor: logits, weightsInput: 'class_weights' }, wrt: [layer4, input] });
  const buildMs = performance.now() - t0;
  // One intra-op thread each: on a shared 2-core machine this keeps the two sessions' thread pools
  // from spinning against each other, and the ratio (what the target is about) stays comparable.
  const opts: ort.InferenceSession.SessionOptions = { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1 };
  const fwd = await ort.InferenceSession.create(saveModelBytes(model), opts);
  const grad = await ort.InferenceSession.create(saveModelBytes(gm.model), opts);
  const dims = [1, 3, 224, 224];
  const x = new ort.Tensor('float32', Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.sin(i * 0.001)), dims);
  const w = new Float32Array(1000); w[207] = 1;
  const feedsF = { [input]: x };
  const feedsG = { [input]: x, class_weights: new ort.Tensor('float32', w, [1, 1000]) };
  const time = async (f: () => Promise<unknown>) => { const s = performance.now(); await f(); return performance.now() - s; };
  const runF = () => fwd.run(feedsF);
  const runG = async () => { const o = await grad.run(feedsG); if (!o[gm.gradients[input]!]) throw new Error('missing gradient'); };
  for (let i = 0; i < 2; i++) { await runF(); await runG(); }
  // Adjacent pairs (order alternating): the per-pair ratio cancels slow drift in machine load.
  const a: number[] = [], b: number[] = [], ratios: number[] = [];
  for (let r = 0; r < 8; r++) {
    let tf: number, tg: number;
    if (r % 2) { tf = await time(runF); tg = await time(runG); } else { tg = await time(runG); tf = await time(runF); }
    a.push(tf); b.push(tg); ratios.push(tg / tf);
  }
  await fwd.release(); await grad.release();
  const ratio = median(ratios);
  report.row({ group: 'autodiff', name: 'resnet50 224 forward, 1 thread (median)', value: median(a), unit: 'ms' });
  report.row({ group: 'autodiff', name: 'resnet50 224 forward+gradient wrt layer4 & input (median)', value: median(b), unit: 'ms' });
  report.row({ group: 'autodiff', name: 'resnet50 gradient / forward (median of paired ratios)', value: ratio, unit: '×', target: '≤ 3', ok: ratio <= 3 });
  report.row({ group: 'autodiff', name: 'resnet50 buildGradientModel', value: buildMs, unit: 'ms', note: `${g.node.length} → ${gm.model.graph!.node.length} nodes` });
};

export default bench;
