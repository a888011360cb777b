// What a click on a layer costs (minus drawing): getActivations through the service (dispatch,
// sub-model compile on first use, the worker, transport back), against onnxruntime's own compute
// for the same sub-model in this process. Per layer:
//   cold   — first request for the layer (extract + serialise + compile the sub-model, run)
//   warm   — the layer's sub-model is compiled, a new input (run + transport)
//   cached — the same input again (no inference)
//   ort    — a raw InferenceSession on the same sub-model (median of 3 runs)
// ResNet-18 and AlexNet always; VGG16 (all 38 layers, minutes) only with BENCH_FULL=1. The default
// strategy (clickThrough) is measured too: there cheap nets run all layers once per input.
import * as ort from 'onnxruntime-node';
import type { Bench, BenchReport } from './harness.ts';
import { median } from './harness.ts';
import { createService } from '../electron/api/service.ts';
import { dispatch } from '../electron/api/dispatch.ts';
import type { InputSet, LayerActivationsResult, OpenedModel } from '../electron/api/contract.ts';
import type { Envelope } from '../electron/api/methods.ts';
import { buildZooModel } from '../core/zoo/index.ts';
import { extractSubModel } from '../core/activations/index.ts';
import { ModelProtoSchema, toBinary } from '../core/onnx/proto.ts';

function ok<T>(r: Envelope): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.result as T;
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await f();
  return [v, performance.now() - t0];
}

export async function benchModel(report: BenchReport, name: string, opts: { maxLayers?: number } = {}): Promise<void> {
  const service = createService({ host: 'browser', activationStrategy: 'layer' });
  const model = buildZooModel(name, { batch: 1 });
  try {
    const opened = ok<OpenedModel>(await dispatch(service, 'openModel', { source: { kind: 'zoo', name } }));
    const modelId = opened.modelId;
    const inA = ok<InputSet>(await dispatch(service, 'setInput', { modelId, source: { kind: 'sample', dataset: 'mnist-test', index: 0 } }));
    const inB = ok<InputSet>(await dispatch(service, 'setInput', { modelId, source: { kind: 'sample', dataset: 'mnist-test', index: 1 } }));
    const layers = opened.summary.layers.slice(0, opts.maxLayers ?? Infinity);
    const input = Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.sin(i * 0.001));
    const cold: number[] = [], warm: number[] = [], cached: number[] = [], raw: number[] = [], ratios: number[] = [];
    let worst = { layer: '', warm: 0 };
    for (const l of layers) {
      const tensor = l.outputs[0]!;
      const [, c] = await timed(() => dispatch(service, 'getActivations', { modelId, inputId: inA.inputId, layer: tensor }).then(ok<LayerActivationsResult>));
      const [, w] = await timed(() => dispatch(service, 'getActivations', { modelId, inputId: inB.inputId, layer: tensor }).then(ok<LayerActivationsResult>));
      const [hit, h] = await timed(() => dispatch(service, 'getActivations', { modelId, inputId: inB.inputId, layer: tensor }).then(ok<LayerActivationsResult>));
      if (!hit.cached) throw new Error(`${name}/${tensor}: the repeated request was not served from the cache`);
      const sess = await ort.InferenceSession.create(toBinary(ModelProtoSchema, extractSubModel(model, [tensor])), { executionProviders: ['cpu'] });
      const feeds = { [sess.inputNames[0]!]: new ort.Tensor('float32', input, [1, 3, 224, 224]) };
      await sess.run(feeds);
      const rs: number[] = [];
      for (let i = 0; i < 3; i++) { const t0 = performance.now(); await sess.run(feeds); rs.push(performance.now() - t0); }
      await sess.release();
      const r = median(rs);
      cold.push(c); warm.push(w); cached.push(h); raw.push(r); ratios.push(w / r);
      if (w > worst.warm) worst = { layer: tensor, warm: w };
      report.log(`${name} ${tensor.padEnd(28)} cold ${c.toFixed(0).padStart(5)} ms  warm ${w.toFixed(1).padStart(7)} ms  cached ${h.toFixed(2).padStart(6)} ms  ort ${r.toFixed(1).padStart(7)} ms  [${hit.dims.join('×')}]`);
    }
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const g = `activations ${name} (per-layer sub-models)`;
    report.row({ group: g, name: `layers`, value: layers.length, unit: '' });
    report.row({ group: g, name: 'warm request, median over layers', value: median(warm), unit: 'ms', target: '≤ 150', ok: median(warm) <= 150, note: `max ${worst.warm.toFixed(0)} ms (${worst.layer})` });
    report.row({ group: g, name: 'cold (first) request, median over layers', value: median(cold), unit: 'ms', note: `total ${(sum(cold) / 1000).toFixed(1)} s for all layers` });
    report.row({ group: g, name: 'cached request, median', value: median(cached), unit: 'ms' });
    report.row({ group: g, name: 'onnxruntime sub-model compute, median', value: median(raw), unit: 'ms' });
    report.row({ group: g, name: 'warm / onnxruntime, median of per-layer ratios', value: median(ratios), unit: '×', note: `sum warm ${sum(warm).toFixed(0)} ms vs ort ${sum(raw).toFixed(0)} ms` });
  } finally {
    await service.close();
  }
}

/**
 * The default ('auto') strategy as a user meets it: set an input, then click every layer in order.
 * Cheap nets use one all-layers session, so the first click runs the net and the rest hit the cache.
 */
export async function clickThrough(report: BenchReport, name: string): Promise<void> {
  const service = createService({ host: 'browser' });
  try {
    const opened = ok<OpenedModel>(await dispatch(service, 'openModel', { source: { kind: 'zoo', name } }));
    const modelId = opened.modelId;
    const g = `activations ${name} (default strategy)`;
    const [, first] = await timed(() => dispatch(service, 'setInput', { modelId, source: { kind: 'sample', dataset: 'mnist-test', index: 0 } }).then(ok<InputSet>));
    report.row({ group: g, name: 'first setInput (compile + run + top-5)', value: first, unit: 'ms' });
    for (const index of [1, 2]) {
      const [inp, set] = await timed(() => dispatch(service, 'setInput', { modelId, source: { kind: 'sample', dataset: 'mnist-test', index } }).then(ok<InputSet>));
      const clicks: number[] = [];
      for (const l of opened.summary.layers) {
        const [, t] = await timed(() => dispatch(service, 'getActivations', { modelId, inputId: inp.inputId, layer: l.outputs[0]! }).then(ok<LayerActivationsResult>));
        clicks.push(t);
      }
      report.row({
        group: g, name: `new input ${index}: setInput (top-5; all-layers nets run every layer here)`, value: set, unit: 'ms',
      });
      report.row({ group: g, name: `new input ${index}: click on a layer, median of ${clicks.length}`, value: median(clicks), unit: 'ms', target: '≤ 150', ok: median(clicks) <= 150, note: `max ${Math.max(...clicks).toFixed(1)} ms` });
    }
  } finally {
    await service.close();
  }
}

const bench: Bench = async (report) => {
  await clickThrough(report, 'resnet18');
  await clickThrough(report, 'alexnet');
  await benchModel(report, 'resnet18');
  await benchModel(report, 'alexnet');
  // VGG16 is above ALL_LAYERS_MAX_MACS, so its default strategy is the per-layer one measured here.
  if (process.env.BENCH_FULL === '1') await benchModel(report, 'vgg16');
  else report.log('vgg16 skipped (takes minutes; set BENCH_FULL=1)');
};

export default bench;
