// `receptive review WORKSPACE --import DIR|CSV [--create]`: batch-import cases for review.
import { existsSync } from 'node:fs';
import type { Command } from '../registry.ts';
import { UsageError } from '../errors.ts';

const review: Command = {
  name: 'review',
  summary: 'import a folder of images/DICOM (class subfolders = labels) or a CSV into a review workspace',
  usage: 'receptive review WORKSPACE --import DIR|FILE.csv [--name NAME]',
  description: 'Creates the workspace file when it does not exist. A CSV needs a "path" column (relative to the CSV) and may have key, label, prediction and score columns. Without --import, prints the workspace\'s review progress.',
  positionals: { min: 1, max: 1, names: 'WORKSPACE' },
  options: {
    import: { type: 'string', arg: 'SRC', description: 'folder or CSV file to import' },
    name: { type: 'string', arg: 'NAME', description: 'name of the imported data set (default: the folder/file name)' },
  },
  async run(ctx) {
    const file = ctx.args[0]!;
    const src = ctx.values.import;
    const { Workspace } = await import('../../store/workspace.ts');
    if (typeof src !== 'string') {
      if (!existsSync(file)) throw new UsageError(`${file} does not exist; give --import DIR to create it with cases`, 'review');
      const ws = Workspace.open(file);
      try {
        const total = ws.listCases().length;
        const reviewers = [...new Set(ws.currentVerdicts().map((v) => v.reviewer))].sort();
        const progress = reviewers.map((r) => ({ reviewer: r, ...ws.progress(r) }));
        if (ctx.json) ctx.out.json({ workspace: ws.file, cases: total, progress });
        else {
          ctx.out.line(`${ws.file}: ${total} cases`);
          for (const p of progress) ctx.out.line(`  ${p.reviewer}: ${p.reviewed} of ${p.total} reviewed`);
        }
      } finally { ws.close(); }
      return;
    }
    const { importCases } = await import('../../report/import.ts');
    const ws = Workspace.open(file, { create: true });
    try {
      const r = importCases(ws, src, typeof ctx.values.name === 'string' ? { name: ctx.values.name } : {});
      if (ctx.json) ctx.out.json({ workspace: ws.file, ...r });
      else {
        ctx.out.line(`imported ${r.imported} cases from ${src} into ${ws.file}${r.skipped ? ` (${r.skipped} files skipped)` : ''}`);
        for (const [l, n] of Object.entries(r.labels)) ctx.out.line(`  ${l}: ${n}`);
      }
    } finally { ws.close(); }
  },
};

export default review;
