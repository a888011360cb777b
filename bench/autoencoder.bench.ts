// Images scored per second: the workbench pipeline (worker-thread runtime, bottleneck exposed, error map
// and score per image through core/anomaly, labels and ROC) vs raw onnxruntime-node on the same batches
// with only a per-image MSE in JS. Alternating repetitions so machine drift hits both sides alike.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Bench } from './harness.ts';
import { median } from './harness.ts';
import { Runtime } from '../core/runtime/index.ts';
import { buildZooModel } from '../core/zoo/index.ts';
import { loadModelFile } from '../core/onnx/load.ts';
import { saveModelBytes } from '../core/onnx/save.ts';
import { AutoencoderWorkbench } from '../core/autoencoder/workbench.ts';
import { floatSet, openImageSet } from '../core/autoencoder/image-sets.ts';
import { scoreSet } from '../core/autoencoder/scoring.ts';

const N = 2048, BATCH = 256;

const bench: Bench = async (report) => {
  const trained = join(import.meta.dirname, '..', 'resources', 'models', 'autoencoder-mnist.onnx');
  const model = existsSync(trained) ? loadModelFile(trained).model : buildZooModel('autoencoder', { latent: 16 });
  report.log(`model: ${existsSync(trained) ? 'autoencoder-mnist' : 'zoo autoencoder (untrained, latent 16)'}; ${N} MNIST test digits, batches of ${BATCH}`);
  const rt = await Runtime.create({ provider: 'cpu' });
  const wb = await AutoencoderWorkbench.open(rt, model);
  const x = await openImageSet('mnist-test', wb.preprocessing, { limit: N }).read(0, N);
  const labels = Array.from({ length: N }, (_, i) => (i % 2 ? 'normal' : 'other'));
  const set = floatSet('mnist', x, N, labels);
  const raw = await ort.InferenceSession.create(saveModelBytes(model), { executionProviders: ['cpu'] });
  const input = raw.inputNames[0]!, output = raw.outputNames[0]!;
  const per = 784;
  const runRaw = async () => {
    const scores = new Float32Array(N);
    for (let from = 0; from < N; from += BATCH) {
      const n = Math.min(BATCH, N - from);
      const r = await raw.run({ [input]: new ort.Tensor('float32', x.slice(from * per, (from + n) * per), [n, 1, 28, 28]) }, [output]);
      const y = r[output]!.data as Float32Array;
      for (let i = 0; i < n; i++) { let s = 0; for (let j = 0; j < per; j++) { const e = y[i * per + j]! - x[(from + i) * per + j]!; s += e * e; } scores[from + i] = s / per; }
    }
    return scores;
  };
  const runWb = () => scoreSet(wb, set, { batchSize: BATCH, worst: 0, normalLabels: ['normal'] });
  await runRaw(); await runWb();
  const a: number[] = [], b: number[] = [];
  for (let r = 0; r < 6; r++) {
    const order = r % 2 ? [runRaw, runWb] : [runWb, runRaw];
    for (const f of order) { const t0 = performance.now(); await f(); (f === runRaw ? a : b).push(performance.now() - t0); }
  }
  const rawRate = N / (median(a) / 1000), wbRate = N / (median(b) / 1000);
  report.row({ group: 'autoencoder', name: 'raw onnxruntime + MSE', value: rawRate, unit: 'images/s' });
  report.row({ group: 'autoencoder', name: 'workbench scoreSet (mean L2)', value: wbRate, unit: 'images/s' });
  report.row({ group: 'autoencoder', name: 'workbench / raw throughput', value: wbRate / rawRate, unit: 'ratio', target: '≥ 0.5', ok: wbRate / rawRate >= 0.5, note: 'includes error maps, ROC, worker transfer' });
  await raw.release();
  await wb.dispose();
  await rt.dispose();
};
export default bench;
