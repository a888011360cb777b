// `receptive train-ae DIR|mnist|fashion --latent L --depth D --epochs E --out OUT.onnx`: trains the zoo
// convolutional autoencoder (core/train) with a progress bar; with `--from MODEL.onnx` it fine-tunes that
// autoencoder instead (same graph, input size and preprocessing). Ctrl-C stops after the current step and
// saves the weights reached so far (a second Ctrl-C quits without saving).
import { resolve } from 'node:path';
import type { Command, CommandContext } from '../registry.ts';
import { EXIT, UsageError } from '../errors.ts';

const CMD = 'train-ae';
const str = (ctx: CommandContext, k: string) => (typeof ctx.values[k] === 'string' ? (ctx.values[k] as string) : undefined);
function num(ctx: CommandContext, k: string, dflt: number, ok: (x: number) => boolean, what: string): number {
  const v = str(ctx, k);
  if (v === undefined) return dflt;
  const x = Number(v);
  if (v.trim() === '' || !ok(x)) throw new UsageError(`--${k} must be ${what} (got "${v}")`, CMD);
  return x;
}
const isInt = (lo: number, hi: number) => (x: number) => Number.isInteger(x) && x >= lo && x <= hi;

export const trainAeCommand: Command = {
  name: CMD,
  summary: 'train (or fine-tune) a convolutional autoencoder on MNIST, Fashion-MNIST or a folder of images',
  usage: 'receptive train-ae DIR|mnist|fashion --out OUT.onnx [--latent L] [--depth D] [--epochs E] [--batch B] [--lr LR] [--size S]\n'
    + '       receptive train-ae DIR|IDX|mnist|fashion --from MODEL.onnx --out OUT.onnx [--epochs E] [--lr LR] [--decoder-only] [--classes 1,7]',
  description: [
    'Builds the zoo autoencoder (Conv/ReLU/MaxPool encoder, dense latent, ConvTranspose decoder, Sigmoid output)',
    'and trains it with MSE loss (Adam, cosine learning rate). A folder is read recursively as gray images at',
    '--size×--size (default 28); its last tenth is held out for the test MSE. Ctrl-C saves what was reached.',
    'With --from MODEL.onnx (or zoo:NAME) the given autoencoder is fine-tuned instead: its weights (all, or the',
    "decoder's with --decoder-only) are trained further, images are read at the model's own input size and",
    'preprocessing, and the saved model records what it was fine-tuned from and on. The held-out MSE is shown',
    'before and after. --classes keeps some labels of mnist/fashion (or of an IDX file with --labels).',
  ].join('\n'),
  positionals: { min: 1, max: 1, names: 'DIR, IDX file, mnist or fashion' },
  options: {
    out: { type: 'string', short: 'o', arg: 'OUT.onnx', description: 'where the model is written (required)' },
    latent: { type: 'string', arg: 'L', description: 'latent size (default 16)' },
    depth: { type: 'string', arg: 'D', description: 'encoder blocks (default 2)' },
    epochs: { type: 'string', arg: 'E', description: 'epochs (default 5; 3 with --from)' },
    batch: { type: 'string', arg: 'B', description: 'minibatch size (default 64; 32 with --from)' },
    lr: { type: 'string', arg: 'LR', description: 'learning rate (default 0.002; 0.001 with --from)' },
    size: { type: 'string', arg: 'S', description: 'image side for a folder (default 28)' },
    seed: { type: 'string', arg: 'N', description: 'seed (default 0)' },
    'steps-per-epoch': { type: 'string', arg: 'N', description: 'cap on steps per epoch (quick runs)' },
    threads: { type: 'string', arg: 'N', description: 'onnxruntime threads' },
    from: { type: 'string', arg: 'MODEL.onnx', description: 'fine-tune this autoencoder (a file or zoo:NAME) instead of training a new one' },
    'decoder-only': { type: 'boolean', description: 'with --from: keep the encoder (up to the bottleneck) frozen' },
    bottleneck: { type: 'string', arg: 'TENSOR', description: 'with --decoder-only: where the encoder ends (default: detected)' },
    classes: { type: 'string', arg: 'L,L', description: 'with --from: train only on these labels (mnist, fashion, or IDX with --labels)' },
    labels: { type: 'string', arg: 'FILE', description: 'with --from: labels IDX file for an IDX image file' },
    limit: { type: 'string', arg: 'N', description: 'with --from: at most N training images' },
  },
  async run(ctx) {
    const outArg = str(ctx, 'out');
    if (!outArg) throw new UsageError('--out OUT.onnx is required', CMD);
    if (str(ctx, 'from') !== undefined) return fineTune(ctx, outArg);
    for (const k of ['decoder-only', 'bottleneck', 'classes', 'labels', 'limit']) {
      if (ctx.values[k] !== undefined) throw new UsageError(`--${k} applies to fine-tuning (--from MODEL.onnx)`, CMD);
    }
    const latent = num(ctx, 'latent', 16, isInt(1, 65_536), 'an integer from 1 to 65536');
    const depth = num(ctx, 'depth', 2, isInt(1, 6), 'an integer from 1 to 6');
    const epochs = num(ctx, 'epochs', 5, isInt(1, 10_000), 'an integer from 1 to 10000');
    const batchSize = num(ctx, 'batch', 64, isInt(1, 65_536), 'an integer from 1 to 65536');
    const lr = num(ctx, 'lr', 2e-3, (x) => x > 0 && x < 100, 'a positive number below 100');
    const size = num(ctx, 'size', 28, isInt(4, 1024), 'an integer from 4 to 1024');
    const seed = num(ctx, 'seed', 0, Number.isSafeInteger, 'an integer');
    const maxSteps = str(ctx, 'steps-per-epoch') === undefined ? undefined : num(ctx, 'steps-per-epoch', 1, isInt(1, 1e9), 'a positive integer');
    const threads = str(ctx, 'threads') === undefined ? undefined : num(ctx, 'threads', 1, isInt(1, 256), 'an integer from 1 to 256');
    const [{ loadTrainingData, trainAutoencoder }, { createProgress }] = await Promise.all([import('../../autoencoder/train-ae.ts'), import('../progress.ts')]);
    const data = await loadTrainingData(ctx.args[0]!, size);
    const out = resolve(outArg);
    ctx.out.info(`training autoencoder (latent ${latent}, depth ${depth}) on ${data.source}: ${data.train.count} images${data.test ? `, test ${data.test.count}` : ''}, ${epochs} epochs; Ctrl-C saves and stops`);
    const ac = new AbortController();
    const onSigint = () => {
      if (ac.signal.aborted) process.exit(EXIT.cancelled);
      ctx.out.info('\nstopping after this step and saving… (Ctrl-C again to quit without saving)');
      ac.abort();
    };
    process.on('SIGINT', onSigint);
    let bar: ReturnType<typeof createProgress> | undefined;
    try {
      const r = await trainAutoencoder({
        data, latent, depth, epochs, batchSize, lr, seed, outPath: out, maxStepsPerEpoch: maxSteps, threads, signal: ac.signal,
        onProgress: (p) => {
          bar ??= createProgress({ total: p.epochs * p.steps, label: 'train-ae', stream: ctx.out.stderr, silent: ctx.json });
          const test = p.testMse !== undefined ? `, test mse ${p.testMse.toFixed(5)}` : '';
          bar.update((p.epoch - 1) * p.steps + p.step, `epoch ${p.epoch}/${p.epochs} loss ${p.loss.toFixed(5)}${test}`);
          if (p.phase === 'epoch' && !ctx.json && !ctx.out.stderr.isTTY) ctx.out.info(`epoch ${p.epoch}/${p.epochs}: loss ${p.loss.toFixed(5)}${test}`);
        },
      });
      bar?.done(r.cancelled ? 'cancelled' : undefined);
      const last = r.history[r.history.length - 1];
      if (ctx.json) ctx.out.json({ out, bytes: r.savedBytes, cancelled: r.cancelled, steps: r.steps, seconds: r.seconds, history: r.history, latent, depth });
      else ctx.out.line(`${r.cancelled ? 'cancelled; saved' : 'saved'} ${out} (${r.savedBytes} bytes, ${r.steps} steps, ${r.seconds.toFixed(1)} s${last?.testMse !== undefined ? `, test mse ${last.testMse.toFixed(5)}` : ''})`);
      return r.cancelled ? EXIT.cancelled : EXIT.ok;
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};

/** Ctrl-C: the first stops after the current step (and saves), the second quits. */
function onCtrlC(ctx: CommandContext, ac: AbortController): () => void {
  const onSigint = () => {
    if (ac.signal.aborted) process.exit(EXIT.cancelled);
    ctx.out.info('\nstopping after this step and saving… (Ctrl-C again to quit without saving)');
    ac.abort();
  };
  process.on('SIGINT', onSigint);
  return () => process.off('SIGINT', onSigint);
}

async function fineTune(ctx: CommandContext, outArg: string): Promise<number> {
  for (const k of ['latent', 'depth', 'size']) {
    if (str(ctx, k) !== undefined) throw new UsageError(`--${k} applies to training a new autoencoder; fine-tuning keeps the model's architecture and input size`, CMD);
  }
  if (ctx.values.bottleneck !== undefined && !ctx.values['decoder-only']) throw new UsageError('--bottleneck goes with --decoder-only', CMD);
  const epochs = num(ctx, 'epochs', 3, isInt(1, 10_000), 'an integer from 1 to 10000');
  const batchSize = num(ctx, 'batch', 32, isInt(1, 65_536), 'an integer from 1 to 65536');
  const seed = num(ctx, 'seed', 0, Number.isSafeInteger, 'an integer');
  const opt = (k: string, ok: (x: number) => boolean, what: string) => (str(ctx, k) === undefined ? undefined : num(ctx, k, 1, ok, what));
  const lr = opt('lr', (x) => x > 0 && x < 100, 'a positive number below 100');
  const maxSteps = opt('steps-per-epoch', isInt(1, 1e9), 'a positive integer');
  const threads = opt('threads', isInt(1, 256), 'an integer from 1 to 256');
  const limit = opt('limit', isInt(2, 1e9), 'an integer of at least 2');
  const classesArg = str(ctx, 'classes');
  const classes = classesArg === undefined ? undefined : classesArg.split(',').map((c) => {
    const x = Number(c.trim());
    if (c.trim() === '' || !isInt(0, 255)(x)) throw new UsageError(`--classes takes label numbers such as 1 or 3,8 (got "${classesArg}")`, CMD);
    return x;
  });
  const [{ openModel }, { preprocessingOf }, { loadFineTuneData }, ft, { createProgress }] = await Promise.all([
    import('../model-source.ts'), import('../../data/preprocessing.ts'), import('../../autoencoder/fine-tune-data.ts'),
    import('../../autoencoder/fine-tune.ts'), import('../progress.ts'),
  ]);
  const src = await openModel(str(ctx, 'from')!);
  const prep = preprocessingOf(src.model, { modelPath: src.path }).preprocessing;
  const part = ctx.values['decoder-only'] ? 'decoder' as const : 'all' as const;
  const bottleneck = str(ctx, 'bottleneck');
  try {
    ft.planFineTune(src.model, prep, { part, bottleneck });
  } catch (e) {
    if (e instanceof ft.NotTrainableError) throw new UsageError(`${src.name}: ${e.message}`, CMD);
    throw e;
  }
  const out = resolve(outArg);
  if (src.path && resolve(src.path) === out) throw new UsageError('--out must differ from --from: fine-tuning writes a new model and keeps the original', CMD);
  const data = await loadFineTuneData(ctx.args[0]!, prep, { classes, limit, labelsPath: str(ctx, 'labels') });
  for (const n of data.notes) ctx.out.info(`note: ${n}`);
  ctx.out.info(`fine-tuning ${src.name} (${part === 'decoder' ? 'decoder only' : 'all weights'}) on ${data.source}: ${data.train.count} images${data.test ? `, held out ${data.test.count}` : ''}, ${epochs} epochs; Ctrl-C saves and stops`);
  const ac = new AbortController();
  const off = onCtrlC(ctx, ac);
  let bar: ReturnType<typeof createProgress> | undefined;
  try {
    const r = await ft.fineTuneAutoencoder({
      model: src.model, preprocessing: prep, from: src.path ?? `zoo:${src.zoo ?? src.name}`, fromBytes: src.bytes(), data, part, bottleneck,
      epochs, batchSize, lr, seed, maxStepsPerEpoch: maxSteps, outPath: out, threads, signal: ac.signal,
      onProgress: (p) => {
        bar ??= createProgress({ total: p.epochs * p.steps, label: 'fine-tune', stream: ctx.out.stderr, silent: ctx.json });
        const test = p.testMse !== undefined ? `, test mse ${p.testMse.toFixed(5)}` : '';
        bar.update((p.epoch - 1) * p.steps + p.step, `epoch ${p.epoch}/${p.epochs} loss ${p.loss.toFixed(5)}${test}`);
        if (p.phase === 'epoch' && !ctx.json && !ctx.out.stderr.isTTY) ctx.out.info(`epoch ${p.epoch}/${p.epochs}: loss ${p.loss.toFixed(5)}${test}`);
      },
    });
    bar?.done(r.cancelled ? 'cancelled' : undefined);
    if (ctx.json) {
      ctx.out.json({ out: r.savedTo ?? null, bytes: r.savedBytes, cancelled: r.cancelled, steps: r.steps, seconds: r.seconds, history: r.history, testMseBefore: r.testMseBefore, testMseAfter: r.testMseAfter, record: r.record, notes: r.notes });
    } else {
      const mse = r.testMseBefore !== undefined && r.testMseAfter !== undefined ? `, held-out mse ${r.testMseBefore.toFixed(5)} → ${r.testMseAfter.toFixed(5)}` : '';
      ctx.out.line(r.savedTo
        ? `${r.cancelled ? 'cancelled; saved' : 'saved'} ${out} (${r.savedBytes} bytes, ${r.steps} steps, ${r.seconds.toFixed(1)} s${mse})`
        : `stopped before the first step; nothing was saved`);
    }
    return r.cancelled ? EXIT.cancelled : EXIT.ok;
  } finally {
    off();
  }
}

export default trainAeCommand;
