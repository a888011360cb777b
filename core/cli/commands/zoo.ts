// `receptive zoo list` and `receptive zoo export NAME OUT.onnx`.
import { statSync } from 'node:fs';
import type { Command, CommandContext } from '../registry.ts';
import { UsageError } from '../errors.ts';
import { compact, int, table } from '../output.ts';

function intOption(ctx: CommandContext, name: string): number | undefined {
  const v = ctx.values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer (got "${String(v)}")`, 'zoo');
  return n;
}

async function list(ctx: CommandContext): Promise<void> {
  const zoo = await import('../../zoo/index.ts');
  const specs = zoo.zooNames().map((n) => zoo.zooSpec(n));
  if (ctx.json) {
    ctx.out.json({
      models: specs.map((s) => ({
        name: s.name, title: s.title, task: s.task, inputShape: s.inputShape, params: s.expectedParams ?? null,
        trained: s.trained ?? false, description: s.description, preprocessing: s.preprocessing, classes: s.classNames?.length ?? null,
      })),
    });
    return;
  }
  ctx.out.line(table(['name', 'task', 'input', 'params', 'trained', 'title'], specs.map((s) => [
    s.name, s.task, s.inputShape.join('×'), s.expectedParams ? compact(s.expectedParams) : '?', s.trained ? 'yes' : 'no', s.title,
  ]), { align: ['l', 'l', 'l', 'r', 'l', 'l'] }));
  ctx.out.line('');
  ctx.out.line('Use a model anywhere as zoo:NAME, e.g. receptive inspect zoo:resnet18');
}

async function exportModel(ctx: CommandContext, name: string | undefined, out: string | undefined): Promise<void> {
  if (!name || !out) throw new UsageError('usage: receptive zoo export NAME OUT.onnx', 'zoo');
  const zoo = await import('../../zoo/index.ts');
  if (!zoo.zooNames().includes(name)) throw new UsageError(`unknown zoo model "${name}"; available: ${zoo.zooNames().join(', ')}`, 'zoo');
  const opts = { seed: intOption(ctx, 'seed'), inputSize: intOption(ctx, 'input-size'), ...(ctx.values.batch !== undefined ? { batch: intOption(ctx, 'batch') } : {}) };
  const model = zoo.buildZooModel(name, Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)));
  const { saveModelFile } = await import('../../onnx/save.ts');
  saveModelFile(model, out);
  const bytes = statSync(out).size;
  const params = zoo.zooParamCount(model);
  if (ctx.json) { ctx.out.json({ name, path: out, bytes, params }); return; }
  ctx.out.line(`wrote ${out} (${name}, ${int(params)} parameters, ${compact(bytes)} bytes)`);
}

const zoo: Command = {
  name: 'zoo',
  summary: 'list the built-in models, or export one as an .onnx file',
  usage: 'receptive zoo list | receptive zoo export NAME OUT.onnx [--seed N] [--input-size N] [--batch N]',
  description: 'Built-in models are classic CNNs with seeded He-initialised weights (or trained weights where shipped).',
  positionals: { min: 1, max: 3, names: 'a subcommand (list or export)' },
  options: {
    seed: { type: 'string', arg: 'N', description: 'export: weight initialisation seed (default 0)' },
    'input-size': { type: 'string', arg: 'N', description: 'export: square input size where the architecture allows' },
    batch: { type: 'string', arg: 'N', description: 'export: fixed batch size (default symbolic N)' },
  },
  async run(ctx) {
    const [sub, a, b] = ctx.args;
    if (sub === 'list') {
      if (ctx.args.length > 1) throw new UsageError(`unexpected argument "${a}" (usage: receptive zoo list)`, 'zoo');
      return list(ctx);
    }
    if (sub === 'export') return exportModel(ctx, a, b);
    throw new UsageError(`unknown subcommand "${sub}" (use list or export)`, 'zoo');
  },
};

export default zoo;
