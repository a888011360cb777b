// Acceptance for the autoencoder workbench (one command: npx tsx build/ae-acceptance.ts):
//   1. the shipped MNIST autoencoder separates Fashion-MNIST test images (anomalous) from MNIST test
//      digits (normal) with AUROC ≥ 0.98, score = mean squared reconstruction error per image;
//   2. its reconstruction MSE on MNIST test digits beats PCA with as many components as the bottleneck,
//      fitted on MNIST training digits.
// Options: --model PATH (default resources/models/autoencoder-mnist.onnx), --pca-train N (default 20000), --json.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Runtime } from '../core/runtime/index.ts';
import { loadModelFile } from '../core/onnx/load.ts';
import { openAutoencoderModel } from '../core/autoencoder/open.ts';
import { openImageSet } from '../core/autoencoder/image-sets.ts';
import { scoreSet } from '../core/autoencoder/scoring.ts';
import { compareWithPca } from '../core/autoencoder/pca-compare.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const AUROC_TARGET = 0.98;

function args(argv: string[]) {
  const o = { model: join(root, 'resources', 'models', 'autoencoder-mnist.onnx'), pcaTrain: 20_000, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--model') o.model = resolve(argv[++i] ?? '');
    else if (a === '--pca-train') o.pcaTrain = Number(argv[++i]);
    else if (a === '--json') o.json = true;
    else throw new Error(`unknown option ${a}; usage: ae-acceptance.ts [--model PATH] [--pca-train N] [--json]`);
  }
  if (!Number.isInteger(o.pcaTrain) || o.pcaTrain < 100 || o.pcaTrain > 60_000) throw new Error('--pca-train must be an integer from 100 to 60000');
  return o;
}

const o = args(process.argv.slice(2));
if (!existsSync(o.model)) {
  console.error(`missing ${o.model}: train the shipped autoencoder first (npx tsx build/train-demo-models.ts --only autoencoder-mnist); an untrained or briefly trained zoo autoencoder is not a substitute`);
  process.exit(2);
}
const runtime = await Runtime.create({ provider: 'cpu' });
try {
  const { workbench: wb } = await openAutoencoderModel(loadModelFile(o.model).model, runtime, { modelPath: o.model, name: 'autoencoder-mnist' });
  const log = (s: string) => { if (!o.json) console.log(s); };
  log(`model ${o.model}: bottleneck "${wb.split.bottleneck.tensor}" (${wb.latentSize} values), compression ${wb.split.compressionRatio.toFixed(1)}:1`);
  const set = openImageSet('mnist-test+fashion-test', wb.preprocessing);
  const r = await scoreSet(wb, set, { score: 'mean', error: 'l2', normalLabels: ['mnist-test'], targetFpr: 0.05, worst: 0 });
  const ev = r.evaluation!;
  log(`anomaly: ${ev.normalCount} MNIST test (normal) vs ${ev.anomalousCount} Fashion-MNIST test (anomalous), score = per-image MSE`);
  log(`  AUROC ${ev.auroc.toFixed(4)} (target ≥ ${AUROC_TARGET})  AP ${ev.averagePrecision.toFixed(4)}  TPR at 5% FPR ${ev.confusion.tpr.toFixed(4)}  (${r.seconds.toFixed(1)} s)`);
  const c = await compareWithPca(wb, openImageSet('mnist-train', wb.preprocessing, { limit: o.pcaTrain }), openImageSet('mnist-test', wb.preprocessing));
  log(`reconstruction MSE on ${c.testCount} MNIST test digits: autoencoder ${c.aeMeanMse.toFixed(5)} vs PCA (k = ${c.k}, fitted on ${c.trainCount} training digits) ${c.pcaMeanMse.toFixed(5)}; AE better on ${(c.aeWins * 100).toFixed(1)}% of digits`);
  const pass = { auroc: ev.auroc >= AUROC_TARGET, pca: c.aeMeanMse < c.pcaMeanMse };
  if (o.json) {
    console.log(JSON.stringify({ model: o.model, auroc: ev.auroc, averagePrecision: ev.averagePrecision, aeMse: c.aeMeanMse, pcaMse: c.pcaMeanMse, k: c.k, pcaTrain: c.trainCount, aeWins: c.aeWins, pass }, null, 2));
  } else {
    log(`${pass.auroc ? 'PASS' : 'FAIL'} AUROC ≥ ${AUROC_TARGET}`);
    log(`${pass.pca ? 'PASS' : 'FAIL'} AE MSE < PCA MSE`);
  }
  await wb.dispose();
  process.exitCode = pass.auroc && pass.pca ? 0 : 1;
} finally {
  await runtime.dispose();
}
