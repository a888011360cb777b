// Cost of each explainer per image vs one forward pass, same model, same run, CPU:
// LeNet-5 (trained, 28×28) always; ResNet-50 (zoo, 224×224) with BENCH_FULL=1. Many-pass methods
// run at reduced settings on ResNet-50 (noted per row) so the bench finishes in minutes; their cost
// scales linearly with the number of passes. Target: Grad-CAM ≤ 3× a forward pass.
import { existsSync } from 'node:fs';
import type { Bench, BenchReport } from './harness.ts';
import { median } from './harness.ts';
import { Runtime } from '../core/runtime/index.ts';
import { buildZooModel } from '../core/zoo/index.ts';
import { loadModelFile } from '../core/onnx/load.ts';
import type { ModelProto } from '../core/onnx/proto.ts';
import { ExplainModel } from '../core/explain/model.ts';
import { explainImage } from '../core/explain/explain.ts';
import { EXPLAINER_NAMES } from '../core/explain/registry.ts';
import type { ExplainOptions } from '../core/explain/options.ts';

async function benchModel(report: BenchReport, group: string, model: ModelProto, methods: readonly string[], options: ExplainOptions, repeats: number, note: (m: string) => string | undefined): Promise<void> {
  const runtime = await Runtime.create({ provider: 'cpu' });
  try {
    const em = ExplainModel.create(model, runtime);
    const [C, H, W] = em.inputShape;
    const x = Float32Array.from({ length: C * H * W }, (_, i) => Math.sin(i * 0.001) + 0.2 * Math.cos(i * 0.05));
    const fwd: number[] = [];
    for (let i = 0; i < 3 + repeats; i++) { const t = performance.now(); await em.scores(x, 1); if (i >= 3) fwd.push(performance.now() - t); }
    const f = median(fwd);
    report.row({ group, name: 'forward pass', value: f, unit: 'ms' });
    for (const m of methods) {
      const t0 = performance.now();
      await explainImage(em, x, { methods: [m], options }); // builds this method's sessions
      const first = performance.now() - t0;
      const times: number[] = [];
      for (let i = 0; i < repeats; i++) { const t = performance.now(); await explainImage(em, x, { methods: [m], options }); times.push(performance.now() - t); }
      const ms = median(times);
      const target = m === 'gradcam' ? '≤ 3' : undefined;
      report.row({ group, name: `${m} time per image`, value: ms, unit: 'ms', note: `first call ${first.toFixed(0)} ms (graph build + session)${note(m) ? `; ${note(m)}` : ''}` });
      report.row({ group, name: `${m} / forward`, value: ms / f, unit: '×', ...(target ? { target, ok: ms / f <= 3 } : {}) });
    }
    await em.dispose();
  } finally { await runtime.dispose(); }
}

const bench: Bench = async (report) => {
  const lenetPath = new URL('../resources/models/lenet5-mnist.onnx', import.meta.url).pathname;
  const lenet = existsSync(lenetPath) ? loadModelFile(lenetPath).model : buildZooModel('lenet5');
  await benchModel(report, 'explain LeNet-5', lenet, EXPLAINER_NAMES, {}, 15, () => 'default settings');
  if (process.env.BENCH_FULL !== '1') { report.log('ResNet-50 skipped (minutes; set BENCH_FULL=1)'); return; }
  const reduced: ExplainOptions = { smoothgrad: { samples: 8 }, ig: { steps: 16 }, rise: { masks: 64 }, scorecam: { maxChannels: 64 }, occlusion: { patch: 56, stride: 28 } };
  const notes: Record<string, string> = {
    smoothgrad: '8 samples (default 25)', ig: '16 steps (default 32)', rise: '64 masks (default 2000)', scorecam: '64 of 2048 channels (default all)',
    occlusion: 'patch 56, stride 28 (49 passes)', ablationcam: 'all live channels of layer4',
  };
  const methods = EXPLAINER_NAMES.filter((m) => m !== 'ablationcam' || process.env.BENCH_ABLATION === '1');
  await benchModel(report, 'explain ResNet-50', buildZooModel('resnet50'), methods, reduced, 1, (m) => notes[m]);
};

export default bench;
