// `receptive ae-compare MODEL --pca`: the autoencoder's reconstruction error against PCA with as many
// components as the bottleneck (fitted on training images), per image and on average; with
// --denoise KIND, the AE's restoration of seeded noisy test images against the noisy input.
import type { Command, CommandContext } from '../registry.ts';
import { EXIT, UsageError } from '../errors.ts';
import { PREPROCESS_OPTIONS, preprocessOverrides } from '../preprocess-options.ts';

const CMD = 'ae-compare';
const str = (ctx: CommandContext, k: string) => (typeof ctx.values[k] === 'string' ? (ctx.values[k] as string) : undefined);
function int(ctx: CommandContext, k: string, dflt: number, max: number): number {
  const v = str(ctx, k);
  if (v === undefined) return dflt;
  const x = Number(v);
  if (!Number.isInteger(x) || x < 1 || x > max) throw new UsageError(`--${k} must be an integer from 1 to ${max} (got "${v}")`, CMD);
  return x;
}

export const aeCompareCommand: Command = {
  name: CMD,
  summary: 'compare an autoencoder with PCA (same number of components) or measure its denoising',
  usage: 'receptive ae-compare MODEL --pca [--train-set S] [--test-set S] [--train N] [--test N] [--k K] | --denoise gaussian|salt-pepper|masking [--amount A] [--json]',
  description: [
    'MODEL is an .onnx autoencoder or zoo:NAME (with --decoder, MODEL is the encoder).',
    '--pca fits PCA with k = bottleneck size (or --k) on --train images of --train-set (default mnist-train, 10000),',
    'then reports mean squared reconstruction error of the AE and of PCA on --test-set (default mnist-test, 10000).',
    '--denoise corrupts test images (seeded) and reports MSE to the clean image before and after the AE.',
  ].join('\n'),
  positionals: { min: 1, max: 1, names: 'MODEL' },
  options: {
    pca: { type: 'boolean', description: 'compare with PCA' },
    denoise: { type: 'string', arg: 'KIND', description: 'gaussian, salt-pepper or masking' },
    amount: { type: 'string', arg: 'A', description: 'noise σ (gaussian, default 0.3) or fraction of pixels (default 0.2)' },
    seed: { type: 'string', arg: 'N', description: 'noise seed (default 0)' },
    'train-set': { type: 'string', arg: 'S', description: 'images PCA is fitted on (default mnist-train)' },
    'test-set': { type: 'string', arg: 'S', description: 'images both reconstruct (default mnist-test)' },
    train: { type: 'string', arg: 'N', description: 'training images for PCA (default 10000)' },
    test: { type: 'string', arg: 'N', description: 'test images (default 10000)' },
    k: { type: 'string', arg: 'K', description: 'PCA components (default: bottleneck size)' },
    decoder: { type: 'string', arg: 'DEC.onnx', description: 'decoder file; MODEL is then the encoder' },
    bottleneck: { type: 'string', arg: 'TENSOR', description: 'split at this tensor instead of the detected bottleneck' },
    ...PREPROCESS_OPTIONS,
  },
  async run(ctx) {
    const noise = str(ctx, 'denoise');
    if (!ctx.values.pca && !noise) throw new UsageError('choose --pca or --denoise KIND', CMD);
    if (noise && !['gaussian', 'salt-pepper', 'masking'].includes(noise)) throw new UsageError(`--denoise must be gaussian, salt-pepper or masking (got "${noise}")`, CMD);
    const nTrain = int(ctx, 'train', 10_000, 60_000), nTest = int(ctx, 'test', 10_000, 100_000);
    const k = str(ctx, 'k') === undefined ? undefined : int(ctx, 'k', 1, 100_000);
    const amountText = str(ctx, 'amount');
    const amount = amountText === undefined ? (noise === 'gaussian' ? 0.3 : 0.2) : Number(amountText);
    if (!(amount >= 0) || (noise !== 'gaussian' && amount > 1)) throw new UsageError(`--amount must be ≥ 0 (a fraction ≤ 1 for ${noise}) (got "${amountText}")`, CMD);
    const seed = str(ctx, 'seed') === undefined ? 0 : Number(str(ctx, 'seed'));
    if (!Number.isSafeInteger(seed)) throw new UsageError('--seed must be an integer', CMD);
    const overrides = preprocessOverrides(ctx.values, CMD);
    const [{ Runtime }, { openAutoencoder }, { openImageSet }] = await Promise.all([
      import('../../runtime/index.ts'), import('../../autoencoder/open.ts'), import('../../autoencoder/image-sets.ts'),
    ]);
    const runtime = await Runtime.create({ provider: ctx.provider });
    const ac = new AbortController();
    const onSigint = () => { if (ac.signal.aborted) process.exit(EXIT.cancelled); ac.abort(); };
    process.on('SIGINT', onSigint);
    try {
      const { workbench: wb } = await openAutoencoder(runtime, ctx.args[0]!, { decoder: str(ctx, 'decoder'), bottleneck: str(ctx, 'bottleneck'), overrides });
      const test = openImageSet(str(ctx, 'test-set') ?? 'mnist-test', wb.preprocessing, { limit: nTest });
      const doc: Record<string, unknown> = { model: ctx.args[0], bottleneck: wb.split.bottleneck, compressionRatio: wb.split.compressionRatio };
      if (ctx.values.pca) {
        const { compareWithPca } = await import('../../autoencoder/pca-compare.ts');
        const train = openImageSet(str(ctx, 'train-set') ?? 'mnist-train', wb.preprocessing, { limit: nTrain });
        const c = await compareWithPca(wb, train, test, { k, signal: ac.signal, onProgress: (_d, _t, stage) => { if (!ctx.json) ctx.out.info(stage); } });
        doc.pca = { k: c.k, trainCount: c.trainCount, testCount: c.testCount, aeMeanMse: c.aeMeanMse, pcaMeanMse: c.pcaMeanMse, aeWins: c.aeWins, explainedVariance: c.explainedVariance, seconds: c.seconds };
        if (!ctx.json) {
          ctx.out.line(`PCA k = ${c.k} (explains ${(c.explainedVariance * 100).toFixed(1)}% of the variance of ${c.trainCount} training images), ${c.testCount} test images:`);
          ctx.out.line(`  autoencoder MSE ${c.aeMeanMse.toFixed(6)}`);
          ctx.out.line(`  PCA         MSE ${c.pcaMeanMse.toFixed(6)}   (AE/PCA ${(c.aeMeanMse / c.pcaMeanMse).toFixed(3)})`);
          ctx.out.line(`  the autoencoder is better on ${(c.aeWins * 100).toFixed(1)}% of images`);
        }
      }
      if (noise) {
        const { denoise } = await import('../../autoencoder/denoise.ts');
        const n = Math.min(test.count, nTest);
        const r = await denoise(wb, await test.read(0, n), n, { kind: noise as 'gaussian', amount, seed, signal: ac.signal });
        const avg = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
        doc.denoise = { kind: noise, amount, seed, count: n, noisyMse: avg(r.noisyMse), restoredMse: avg(r.restoredMse) };
        if (!ctx.json) ctx.out.line(`${noise} noise (${amount}), ${n} images: MSE to clean ${avg(r.noisyMse).toFixed(6)} noisy → ${avg(r.restoredMse).toFixed(6)} restored`);
      }
      if (ctx.json) ctx.out.json(doc);
      return EXIT.ok;
    } finally {
      process.off('SIGINT', onSigint);
      await runtime.dispose();
    }
  },
};

export default aeCompareCommand;
