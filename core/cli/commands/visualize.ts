// `receptive visualize MODEL --layer L --channel C | --class K --out FILE.png`: feature visualisation,
// an input synthesised by gradient ascent to maximise a channel's mean activation or a class score.
import type { Command } from '../registry.ts';
import { UsageError } from '../errors.ts';

const visualize: Command = {
  name: 'visualize',
  summary: 'synthesise an image that maximises a channel or a class (feature visualisation)',
  usage: 'receptive visualize MODEL (--layer L --channel C | --class K) --out FILE.png [--steps N] [--size S] [--param fourier|pixel] [--seed S] [--json]',
  description: [
    'MODEL is an .onnx file or zoo:NAME. Gradient ascent on the input (Adam) with random jitter, scale and',
    'rotation each step, a Fourier (1/f) parameterisation, colour decorrelation for RGB and an optional',
    'total-variation penalty. --layer is a node or tensor name; --channel its channel (a unit for a vector);',
    '--class maximises that class score (the input of a final Softmax, else the output).',
  ].join('\n'),
  positionals: { min: 1, max: 1, names: 'MODEL' },
  options: {
    layer: { type: 'string', short: 'l', arg: 'L', description: 'layer (node or tensor name)' },
    channel: { type: 'string', short: 'c', arg: 'C', description: 'channel index in the layer' },
    class: { type: 'string', arg: 'K', description: 'class index to maximise instead of a channel' },
    out: { type: 'string', short: 'o', arg: 'FILE', description: 'output PNG' },
    steps: { type: 'string', arg: 'N', description: 'optimisation steps (default 256)' },
    size: { type: 'string', arg: 'S', description: 'image side when the model input size is symbolic' },
    param: { type: 'string', arg: 'P', description: 'fourier (default) or pixel' },
    seed: { type: 'string', arg: 'S', description: 'random seed (default 0)' },
    lr: { type: 'string', arg: 'X', description: 'Adam step size (default 0.05)' },
    tv: { type: 'string', arg: 'X', description: 'total-variation penalty weight (default 0)' },
    jitter: { type: 'string', arg: 'PX', description: 'largest random shift in pixels (default ≈ side/28)' },
    rotate: { type: 'string', arg: 'DEG', description: 'largest random rotation in degrees (default 5)' },
    scale: { type: 'string', arg: 'X', description: 'largest random relative scale change (default 0.05)' },
  },
  async run(ctx) {
    const [modelSpec] = ctx.args as [string];
    const v = ctx.values;
    const str = (k: string): string | undefined => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
    const int = (k: string, lo: number, hi: number): number | undefined => {
      const s = str(k);
      if (s === undefined) return undefined;
      const n = Number(s);
      if (!Number.isInteger(n) || n < lo || n > hi) throw new UsageError(`--${k} must be an integer from ${lo} to ${hi} (got "${s}")`, 'visualize');
      return n;
    };
    const real = (k: string, lo: number, hi: number): number | undefined => {
      const s = str(k);
      if (s === undefined) return undefined;
      const n = Number(s);
      if (!Number.isFinite(n) || n < lo || n > hi) throw new UsageError(`--${k} must be a number from ${lo} to ${hi} (got "${s}")`, 'visualize');
      return n;
    };
    const out = str('out');
    if (!out) throw new UsageError('--out FILE.png is required', 'visualize');
    const layer = str('layer');
    const channel = int('channel', 0, 1e9), cls = int('class', 0, 1e9);
    if (cls !== undefined && channel !== undefined) throw new UsageError('pass --channel (with --layer) or --class, not both', 'visualize');
    if (cls === undefined && (layer === undefined || channel === undefined)) throw new UsageError('pass --layer L --channel C, or --class K (`receptive inspect MODEL` lists layers)', 'visualize');
    const param = str('param') ?? 'fourier';
    if (param !== 'fourier' && param !== 'pixel') throw new UsageError(`--param must be fourier or pixel (got "${param}")`, 'visualize');
    const side = int('size', 4, 512);
    const opts = {
      layer, channel, class: cls, param: param as 'fourier' | 'pixel',
      steps: int('steps', 1, 100_000) ?? 256, seed: int('seed', 0, 2 ** 32 - 1) ?? 0,
      size: side === undefined ? undefined : [side, side] as [number, number],
      lr: real('lr', 1e-6, 10), tv: real('tv', 0, 1e6), jitter: int('jitter', 0, 256), rotate: real('rotate', 0, 180), scale: real('scale', 0, 0.9),
    };

    const { openModel } = await import('../model-source.ts');
    const { visualizeFeature } = await import('../../visualize/index.ts');
    const { writePng, chwToRawImage } = await import('../../data/png.ts');
    const { createProgress } = await import('../progress.ts');
    const src = await openModel(modelSpec);
    const { preprocessingOf } = await import('../../data/preprocessing.ts');
    const prep = preprocessingOf(src.model, { modelPath: src.path }).preprocessing;
    // CPU runs in-process (no worker start-up); other providers go through the shared Runtime.
    const runtime = ctx.provider === 'cpu' || ctx.provider === 'auto'
      ? undefined
      : await (await import('../../runtime/index.ts')).Runtime.create({ provider: ctx.provider });
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once('SIGINT', onSigint);
    const progress = createProgress({ total: opts.steps, label: 'visualizing', stream: ctx.out.stderr, silent: ctx.json });
    try {
      const r = await visualizeFeature(src.model, runtime, {
        ...opts, mean: prep.mean, std: prep.std, signal: abort.signal, previewEvery: Number.MAX_SAFE_INTEGER,
        onProgress: (p) => progress.update(p.step, `objective ${p.objective.toPrecision(4)}`),
      });
      progress.done();
      const [, h, w] = r.dims;
      await writePng(out, chwToRawImage(r.image, r.dims));
      for (const n of r.notes) ctx.out.info(n);
      if (ctx.json) {
        ctx.out.json({ model: modelSpec, tensor: r.tensor, channel: r.channel, target: cls !== undefined ? 'class' : 'channel', png: out, size: [w, h],
          steps: opts.steps, param, seed: opts.seed, initial_objective: r.initialObjective, objective: r.objective, history: r.history });
        return;
      }
      ctx.out.line(`${r.tensor} ${cls !== undefined ? 'class' : 'channel'} ${r.channel}: objective ${r.initialObjective.toPrecision(4)} → ${r.objective.toPrecision(4)} in ${opts.steps} steps`);
      ctx.out.line(`wrote ${out} (${w}×${h})`);
    } finally {
      process.off('SIGINT', onSigint);
      await runtime?.dispose();
    }
  },
};

export default visualize;
