// `receptive run MODEL IMAGE... [--top K]`: classify images, print the top-K classes.
import type { Command } from '../registry.ts';
import { UsageError } from '../errors.ts';
import { table } from '../output.ts';
import { PREPROCESS_OPTIONS, preprocessOverrides } from '../preprocess-options.ts';

export interface TopClass { rank: number; index: number; label: string; probability: number; score: number }

/** Probabilities as given when the values already form a distribution, else softmax of logits. */
export function toProbabilities(scores: Float32Array): { probs: Float64Array; softmax: boolean } {
  let sum = 0, inRange = true;
  for (const v of scores) { sum += v; if (!(v >= 0 && v <= 1)) inRange = false; }
  if (inRange && Math.abs(sum - 1) < 1e-3 && scores.length > 1) return { probs: Float64Array.from(scores), softmax: false };
  let max = -Infinity;
  for (const v of scores) if (v > max) max = v;
  const e = Float64Array.from(scores, (v) => Math.exp(v - max));
  const z = e.reduce((a, b) => a + b, 0);
  return { probs: e.map((v) => v / z), softmax: true };
}

export function topK(scores: Float32Array, k: number, labels?: readonly string[]): { top: TopClass[]; softmax: boolean } {
  const { probs, softmax } = toProbabilities(scores);
  const order = Array.from(probs.keys()).sort((a, b) => probs[b]! - probs[a]! || a - b);
  return {
    softmax,
    top: order.slice(0, k).map((i, r) => ({ rank: r + 1, index: i, label: labels?.[i] ?? `class ${i}`, probability: probs[i]!, score: scores[i]! })),
  };
}

const run: Command = {
  name: 'run',
  summary: 'classify images with a model and show the top-K classes',
  usage: 'receptive run MODEL IMAGE... [--top K] [--output NAME] [preprocessing options]',
  description: [
    'MODEL is an .onnx file or zoo:NAME; IMAGE is a PNG, JPEG or TIFF (8/16-bit, gray or colour).',
    'Preprocessing comes from the model (metadata or a MODEL.json sidecar) unless overridden below;',
    'without either it is inferred from the input shape. Logits are turned into probabilities by softmax.',
  ].join('\n'),
  positionals: { min: 2, names: 'MODEL and IMAGE' },
  options: {
    top: { type: 'string', arg: 'K', description: 'how many classes to show (default 5)' },
    output: { type: 'string', arg: 'NAME', description: 'which model output holds the class scores (default: the first)' },
    ...PREPROCESS_OPTIONS,
  },
  async run(ctx) {
    const [modelSpec, ...images] = ctx.args as [string, ...string[]];
    const k = ctx.values.top === undefined ? 5 : Number(ctx.values.top);
    if (!Number.isInteger(k) || k < 1) throw new UsageError(`--top must be a positive integer (got "${String(ctx.values.top)}")`, 'run');
    const overrides = preprocessOverrides(ctx.values, 'run');

    const { openModel } = await import('../model-source.ts');
    const { preprocessingOf, classNamesOf, modelInput } = await import('../../data/preprocessing.ts');
    const { loadImage } = await import('../../data/image.ts');
    const { Runtime, describeReport } = await import('../../runtime/index.ts');
    const { createProgress } = await import('../progress.ts');

    const src = await openModel(modelSpec);
    const input = modelInput(src.model);
    if (!input) throw new Error(`${src.name} has no input`);
    const prep = preprocessingOf(src.model, { modelPath: src.path, overrides });
    const p = prep.preprocessing;
    const dims = input.dims;
    if (dims.length === 4) {
      const [, c, h, w] = dims;
      if (typeof c === 'number' && c !== p.channels) throw new UsageError(`${src.name} takes ${c} channel${c === 1 ? '' : 's'} but the preprocessing gives ${p.channels} (drop --gray/--rgb or fix the sidecar)`, 'run');
      if ((typeof h === 'number' && h !== p.size[0]) || (typeof w === 'number' && w !== p.size[1])) {
        throw new UsageError(`${src.name} takes ${h}×${w} images but the preprocessing size is ${p.size[0]}×${p.size[1]} (drop --size or fix the sidecar)`, 'run');
      }
    }
    const labels = classNamesOf(src.model, src.path);
    for (const n of prep.notes) if (!ctx.json) ctx.out.info(`note: ${n}`);

    const runtime = await Runtime.create({ provider: ctx.provider });
    if (!ctx.json) ctx.out.info(`provider: ${describeReport(runtime.report)}`);
    try {
      const model = await runtime.load(src.bytes(), { name: src.name });
      const outName = typeof ctx.values.output === 'string' ? ctx.values.output : model.outputNames[0]!;
      if (!model.outputNames.includes(outName)) throw new UsageError(`${src.name} has no output "${outName}" (outputs: ${model.outputNames.join(', ')})`, 'run');
      const progress = createProgress({ total: images.length, label: 'classifying', silent: ctx.json || images.length < 2 });
      const results: { image: string; top: TopClass[]; softmax: boolean; geometry: unknown; outputShape: number[] }[] = [];
      for (const image of images) {
        const im = await loadImage(image, p);
        const feed = dims.length === 3 ? { ...im.tensor, dims: im.tensor.dims.slice(1) } : im.tensor;
        const out = await model.run({ [input.name]: feed }, { outputs: [outName] });
        const t = out[outName]!;
        const per = t.dims.slice(1);
        if (per.filter((d) => d > 1).length > 1 || t.dtype !== 'float32') {
          throw new Error(`output "${outName}" has shape [${t.dims.join('×')}] (${t.dtype}): not class scores; choose another with --output`);
        }
        const { top, softmax } = topK(t.data as Float32Array, k, labels);
        results.push({ image, top, softmax, geometry: im.geometry, outputShape: [...t.dims] });
        progress.tick(1, image);
      }
      progress.done();
      if (ctx.json) {
        ctx.out.json({
          model: modelSpec, output: outName, provider: runtime.report, preprocessing: { ...p, source: prep.source },
          results: results.map((r) => ({ image: r.image, softmax: r.softmax, top: r.top, geometry: r.geometry })),
        });
        return;
      }
      for (const r of results) {
        if (results.length > 1) ctx.out.line(`${r.image}:`);
        ctx.out.line(table(['rank', 'class', 'label', 'probability'], r.top.map((c) => [c.rank, c.index, c.label, `${(c.probability * 100).toFixed(2)}%`]), { align: ['r', 'r', 'l', 'r'] }));
        if (results.length > 1) ctx.out.line('');
      }
    } finally {
      await runtime.dispose();
    }
  },
};

export default run;
