// `receptive providers`: which onnxruntime execution providers work here, and what auto picks.
import type { Command } from '../registry.ts';
import { table } from '../output.ts';

const providers: Command = {
  name: 'providers',
  summary: 'show which execution providers (CPU, CUDA, DirectML, WebGPU) work on this machine',
  usage: 'receptive providers [--provider P] [--json]',
  description: 'Every provider is probed by creating a session on a one-node model. With --provider, shows what that choice selects (or why it fails).',
  positionals: { min: 0, max: 0 },
  async run(ctx) {
    const { probeAll, selectProvider } = await import('../../runtime/providers.ts');
    const all = await probeAll();
    const chosen = await selectProvider(ctx.provider);
    if (ctx.json) { ctx.out.json({ choice: ctx.provider, chosen: chosen.chosen, selection: chosen, providers: all }); return; }
    ctx.out.line(table(['provider', 'available', 'reason'], all.map((a) => [a.provider, a.ok ? 'yes' : 'no', a.reason]), { align: ['l', 'l', 'l'] }));
    ctx.out.line('');
    ctx.out.line(`--provider ${ctx.provider} uses: ${chosen.chosen}`);
  },
};

export default providers;
