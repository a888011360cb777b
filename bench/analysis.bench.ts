// Load (decode + validate + sha256), shape inference and full analysis time for zoo models.
import type { Bench } from './harness.ts';
import { timeIt, median } from './harness.ts';
import { buildZooModel, zooNames } from '../core/zoo/index.ts';
import { saveModelBytes } from '../core/onnx/save.ts';
import { loadModelBytes } from '../core/onnx/load.ts';
import { inferShapes } from '../core/analysis/shapes.ts';
import { analyzeModel } from '../core/analysis/summary.ts';

const MODELS = ['lenet5', 'googlenet', 'resnet50', 'densenet121', 'vgg16'];

const bench: Bench = async (report) => {
  const available = new Set(zooNames());
  for (const name of MODELS) {
    if (!available.has(name)) { report.log(`skip ${name}: not in the zoo`); continue; }
    const bytes = saveModelBytes(buildZooModel(name, { batch: 1 }));
    const { model } = loadModelBytes(bytes);
    const nodes = model.graph!.node.length;
    const mb = bytes.length / 1024 ** 2;
    const load = median(await timeIt(() => loadModelBytes(bytes), 3));
    const infer = median(await timeIt(() => inferShapes(model), 5));
    const analyze = median(await timeIt(() => analyzeModel(model), 5));
    const note = `${nodes} nodes, ${mb.toFixed(0)} MB`;
    report.row({ group: 'analysis', name: `${name} load`, value: load, unit: 'ms', note });
    report.row({ group: 'analysis', name: `${name} load throughput`, value: mb / (load / 1000), unit: 'MB/s', note });
    report.row({ group: 'analysis', name: `${name} inferShapes`, value: infer, unit: 'ms', target: '< 50', ok: infer < 50, note });
    report.row({ group: 'analysis', name: `${name} analyzeModel`, value: analyze, unit: 'ms', target: '< 100', ok: analyze < 100, note });
  }
};

export default bench;
