// `receptive embed INPUT (--model M [--layer L] | --pixels) --method pca|tsne|umap --out FILE.csv`:
// features of a layer (default: the penultimate one) for a labelled image set, projected to 2-D or
// 3-D; writes id,label,prediction,x,y[,z] and prints the time and quality figures.
import type { Command } from '../registry.ts';
import { UsageError } from '../errors.ts';

const embed: Command = {
  name: 'embed',
  summary: 'project a layer\'s features (or raw pixels) for a labelled image set to 2-D/3-D (PCA, t-SNE, UMAP) as CSV',
  usage: 'receptive embed INPUT (--model M [--layer L] [--pool] | --pixels) [--method pca|tsne|umap] [--dims 2|3] [--perplexity P] [--iterations N] [--seed S] [--limit N] [--labels FILE] --out FILE.csv [--json]',
  description: [
    'INPUT: mnist-test, mnist-train, mnist-all (70,000), fashion-test, fashion-train, fashion-all, mnist-fashion-test, a folder whose sub-folders are the classes,',
    'an IDX image file (labels file beside it, or --labels), or a CSV of path,label rows.',
    'M is an .onnx file or zoo:NAME; L defaults to the input of the last fully connected layer.',
    'Features are cached (model sha256 + layer + dataset) in $RECEPTIVE_CACHE_DIR or ~/.cache/receptive/features.',
    'Quality: trustworthiness (k = 5) and leave-one-out 10-NN label accuracy in the embedding.',
  ].join('\n'),
  positionals: { min: 1, max: 1, names: 'INPUT' },
  options: {
    model: { type: 'string', short: 'm', arg: 'M', description: 'model (.onnx file or zoo:NAME)' },
    layer: { type: 'string', short: 'l', arg: 'L', description: 'layer (node or tensor name); default: penultimate' },
    pool: { type: 'boolean', description: 'global average pooling of spatial maps (one value per channel)' },
    pixels: { type: 'boolean', description: 'use raw pixels instead of a model' },
    method: { type: 'string', arg: 'M', description: 'pca (default), tsne or umap' },
    dims: { type: 'string', arg: 'D', description: '2 (default) or 3' },
    perplexity: { type: 'string', arg: 'P', description: 't-SNE perplexity (default 30)' },
    iterations: { type: 'string', arg: 'N', description: 't-SNE iterations (default 1000) / UMAP epochs' },
    seed: { type: 'string', arg: 'S', description: 'random seed (default 1)' },
    limit: { type: 'string', arg: 'N', description: 'use the first N items' },
    labels: { type: 'string', arg: 'FILE', description: 'IDX labels file (default: the one beside the images)' },
    out: { type: 'string', short: 'o', arg: 'FILE', description: 'CSV to write' },
    'no-cache': { type: 'boolean', description: 'do not read or write the feature cache' },
  },
  async run(ctx) {
    const [input] = ctx.args as [string];
    const v = ctx.values;
    const str = (k: string) => (typeof v[k] === 'string' ? v[k] as string : undefined);
    const int = (k: string, lo: number, hi: number): number | undefined => {
      const s = str(k);
      if (s === undefined) return undefined;
      const n = Number(s);
      if (!Number.isInteger(n) || n < lo || n > hi) throw new UsageError(`--${k} must be an integer from ${lo} to ${hi} (got "${s}")`, 'embed');
      return n;
    };
    const method = str('method') ?? 'pca';
    if (method !== 'pca' && method !== 'tsne' && method !== 'umap') throw new UsageError(`--method must be pca, tsne or umap (got "${method}")`, 'embed');
    const dims = (int('dims', 2, 3) ?? 2) as 2 | 3;
    const perplexity = str('perplexity') === undefined ? undefined : Number(str('perplexity'));
    if (perplexity !== undefined && !(perplexity >= 1 && perplexity <= 500)) throw new UsageError(`--perplexity must be a number from 1 to 500 (got "${str('perplexity')}")`, 'embed');
    const iterations = int('iterations', 1, 100_000), seed = int('seed', 0, 2 ** 31 - 1) ?? 1, limit = int('limit', 3, 10_000_000);
    const out = str('out');
    if (!out) throw new UsageError('--out FILE.csv is required', 'embed');
    const modelSpec = str('model');
    if (!modelSpec && !v.pixels) throw new UsageError('give --model M (an .onnx file or zoo:NAME) or --pixels', 'embed');
    if (modelSpec && v.pixels) throw new UsageError('--model and --pixels exclude each other', 'embed');

    const { writeFileSync } = await import('node:fs');
    const f = await import('../../features/index.ts');
    const { createProgress } = await import('../progress.ts');
    const set = f.limitSet(f.openImageSet(input, { labels: str('labels') }), limit);
    const t0 = performance.now();
    let feats: Awaited<ReturnType<typeof f.extractFeatures>>;
    let classNames = set.classNames;
    const progress = createProgress({ total: set.count, label: v.pixels ? 'reading pixels' : 'extracting features', silent: ctx.json });
    if (modelSpec) {
      const { openModel } = await import('../model-source.ts');
      const { Runtime } = await import('../../runtime/index.ts');
      const { classNamesOf } = await import('../../data/preprocessing.ts');
      const src = await openModel(modelSpec);
      classNames ??= classNamesOf(src.model, src.path) ?? null;
      const runtime = await Runtime.create({ provider: ctx.provider });
      try {
        feats = await f.extractFeatures(src.model, runtime, set, {
          layer: str('layer'), pool: !!v.pool, modelPath: src.path, cache: v['no-cache'] ? undefined : new f.FeatureCache(),
          onProgress: (done) => progress.update(done),
        });
      } finally { await runtime.dispose(); }
    } else {
      feats = await f.pixelFeatures(set, { onProgress: (done) => progress.update(done) });
    }
    progress.done(feats.cached ? 'features from cache' : undefined);
    const extractMs = performance.now() - t0;
    const iterBar = method === 'pca' ? undefined : createProgress({ total: iterations ?? (method === 'tsne' ? 1000 : 500), label: method, silent: ctx.json });
    const proj = await f.project(feats.features, feats.n, feats.d, {
      method, dims, perplexity, iterations, seed,
      onLayout: iterBar ? (p) => iterBar.update(p.iteration) : undefined,
    });
    iterBar?.done();
    const q = f.embeddingQuality(feats.features, feats.n, feats.d, proj.coords, dims, feats.labels, { seed });
    const ids = set.kind === 'files' ? set.paths : undefined;
    writeFileSync(out, f.embeddingCsv({ coords: proj.coords, dims, labels: feats.labels, predictions: feats.predictions.some((p) => p >= 0) ? feats.predictions : null, classNames, ids }));
    const accuracy = feats.correct ? feats.correct.reduce((s, c) => s + c, 0) / feats.n : null;
    const doc = {
      input, model: modelSpec ?? null, layer: feats.layer, features: { n: feats.n, d: feats.d, itemDims: feats.itemDims, pooled: !!v.pool, cached: feats.cached },
      method, dims, out, ms: { extract: Math.round(extractMs), project: Math.round(proj.ms), total: Math.round(performance.now() - t0) },
      quality: { trustworthiness: q.trustworthiness, knnAccuracy10: q.knnAccuracy, trustworthinessK: q.k, sampled: q.sampled },
      modelAccuracy: accuracy,
    };
    if (ctx.json) { ctx.out.json(doc); return; }
    ctx.out.line(`${feats.n} items, layer ${feats.layer} (${feats.d} features${feats.cached ? ', from cache' : ''}) → ${method} ${dims}-D`);
    ctx.out.line(`time: features ${(extractMs / 1000).toFixed(2)} s, ${method} ${(proj.ms / 1000).toFixed(2)} s`);
    ctx.out.line(`quality: trustworthiness ${q.trustworthiness.toFixed(4)} (k=${q.k}${q.sampled < feats.n ? `, ${q.sampled} sampled` : ''})${q.knnAccuracy !== null ? `, 10-NN accuracy ${q.knnAccuracy.toFixed(4)}` : ''}${accuracy !== null ? `; model accuracy ${accuracy.toFixed(4)}` : ''}`);
    ctx.out.line(`wrote ${out}`);
  },
};

export default embed;
