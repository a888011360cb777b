// `receptive report WORKSPACE --format csv|html|pdf --out FILE`: the review report of a workspace.
import type { Command } from '../registry.ts';
import { UsageError } from '../errors.ts';

const FORMATS = ['csv', 'html', 'pdf'] as const;

const report: Command = {
  name: 'report',
  summary: 'export a review workspace as CSV, a self-contained HTML report, or PDF',
  usage: 'receptive report WORKSPACE --format csv|html|pdf --out FILE [--methods A,B]',
  description: 'CSV has one row per case and reviewer (spreadsheet-safe). HTML embeds the images and heatmap overlays, summary counts, Cohen\'s kappa for two reviewers and the run settings and model hashes; PDF prints that HTML with a system Chromium (RECEPTIVE_CHROMIUM to choose one).',
  positionals: { min: 1, max: 1, names: 'WORKSPACE' },
  options: {
    format: { type: 'string', arg: 'F', description: 'csv, html or pdf (default: from the --out extension)' },
    out: { type: 'string', short: 'o', arg: 'FILE', description: 'where to write the report' },
    methods: { type: 'string', arg: 'A,B', description: 'html/pdf: only these methods\' maps' },
  },
  async run(ctx) {
    const out = ctx.values.out;
    if (typeof out !== 'string' || !out) throw new UsageError('--out FILE is required', 'report');
    const fmt = (typeof ctx.values.format === 'string' ? ctx.values.format : out.split('.').pop() ?? '').toLowerCase();
    if (!(FORMATS as readonly string[]).includes(fmt)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')} (got "${fmt}")`, 'report');
    const { Workspace } = await import('../../store/workspace.ts');
    const { exportReport } = await import('../../report/export.ts');
    const ws = Workspace.open(ctx.args[0]!);
    try {
      const methods = typeof ctx.values.methods === 'string' ? ctx.values.methods.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
      const r = await exportReport(ws, fmt as (typeof FORMATS)[number], out, methods ? { methods } : {});
      if (ctx.json) ctx.out.json({ format: fmt, ...r });
      else ctx.out.line(`wrote ${r.path} (${fmt}, ${r.cases} cases, ${r.bytes} bytes)`);
    } finally { ws.close(); }
  },
};

export default report;
