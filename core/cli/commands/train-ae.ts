// `receptive train-ae DIR|mnist|fashion --latent L --depth D --epochs E --out OUT.onnx`: trains the zoo
// convolutional autoencoder (core/train) with a progress bar; Ctrl-C stops after the current step and
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
  summary: 'train a convolutional autoencoder on MNIST, Fashion-MNIST or a folder of images',
  usage: 'receptive train-ae DIR|mnist|fashion --out OUT.onnx [--latent L] [--depth D] [--epochs E] [--batch B] [--lr LR] [--size S]',
  description: [
    'Builds the zoo autoencoder (Conv/ReLU/MaxPool encoder, dense latent, ConvTranspose decoder, Sigmoid output)',
    'and trains it with MSE loss (Adam, cosine learning rate). A folder is read recursively as gray images at',
    '--size×--size (default 28); its last tenth is held out for the test MSE. Ctrl-C saves what was reached.',
  ].join('\n'),
  positionals: { min: 1, max: 1, names: 'DIR, mnist or fashion' },
  options: {
    out: { type: 'string', short: 'o', arg: 'OUT.onnx', description: 'where the model is written (required)' },
    latent: { type: 'string', arg: 'L', description: 'latent size (default 16)' },
    depth: { type: 'string', arg: 'D', description: 'encoder blocks (default 2)' },
    epochs: { type: 'string', arg: 'E', description: 'epochs (default 5)' },
    batch: { type: 'string', arg: 'B', description: 'minibatch size (default 64)' },
    lr: { type: 'string', arg: 'LR', description: 'learning rate (default 0.002)' },
    size: { type: 'string', arg: 'S', description: 'image side for a folder (default 28)' },
    seed: { type: 'string', arg: 'N', description: 'seed (default 0)' },
    'steps-per-epoch': { type: 'string', arg: 'N', description: 'cap on steps per epoch (quick runs)' },
    threads: { type: 'string', arg: 'N', description: 'onnxruntime threads' },
  },
  async run(ctx) {
    const outArg = str(ctx, 'out');
    if (!outArg) throw new UsageError('--out OUT.onnx is required', CMD);
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

export default trainAeCommand;
