// `receptive score MODEL INPUT …`: anomaly scores of an image set through an autoencoder — a CSV of
// per-image scores, and with normal/anomalous labels AUROC, AP, the threshold at a target FPR and the
// confusion there; worst-scored images as PNG strips (input | reconstruction | error map).
import type { Command, CommandContext } from '../registry.ts';
import { EXIT, UsageError } from '../errors.ts';
import { PREPROCESS_OPTIONS, preprocessOverrides } from '../preprocess-options.ts';

const CMD = 'score';
const SCORES = ['mean', 'max-smoothed', 'ssim'] as const;
const ERRORS = ['l1', 'l2', 'ssim'] as const;

const str = (ctx: CommandContext, k: string) => (typeof ctx.values[k] === 'string' ? (ctx.values[k] as string) : undefined);
function posInt(ctx: CommandContext, k: string, dflt: number | undefined, max = 1e9): number | undefined {
  const v = str(ctx, k);
  if (v === undefined) return dflt;
  const x = Number(v);
  if (!Number.isInteger(x) || x < 1 || x > max) throw new UsageError(`--${k} must be an integer from 1 to ${max} (got "${v}")`, CMD);
  return x;
}

function csvCell(s: string): string { return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s; }

export const scoreCommand: Command = {
  name: CMD,
  summary: 'score images with an autoencoder: per-image anomaly scores, AUROC/AP, threshold at a target FPR',
  usage: 'receptive score MODEL INPUT [--labels F] [--normal-label L]... [--score mean|max-smoothed|ssim] [--error l1|l2|ssim] [--fpr 0.05] [--out DIR] [--json]',
  description: [
    'MODEL is an .onnx autoencoder (input → reconstruction) or zoo:NAME; with --decoder DEC.onnx, MODEL is the encoder.',
    'INPUT is a folder (one subfolder per class, or images), a CSV of path,label, an IDX images file (--labels IDX),',
    'a shipped set (mnist-test, fashion-test, mnist-train, fashion-train), or A+B (items labelled by part, e.g.',
    'mnist-test+fashion-test --normal-label mnist-test). Labels named by --normal-label (or "normal") are normal; the',
    'rest anomalous. The threshold is the lowest score with at most --fpr false positives among normals.',
  ].join('\n'),
  positionals: { min: 2, max: 2, names: 'MODEL and INPUT' },
  options: {
    labels: { type: 'string', arg: 'F', description: 'IDX labels file for an IDX images INPUT' },
    'normal-label': { type: 'string', multiple: true, arg: 'L', description: 'a label that means normal (repeatable)' },
    score: { type: 'string', arg: 'S', description: 'mean (default), max-smoothed or ssim' },
    error: { type: 'string', arg: 'E', description: 'per-pixel error for mean/max-smoothed: l2 (default), l1 or ssim' },
    fpr: { type: 'string', arg: 'F', description: 'target false-positive rate on normals for the threshold (default 0.05)' },
    out: { type: 'string', short: 'o', arg: 'DIR', description: 'write scores.csv, summary.json and worst-*.png here' },
    worst: { type: 'string', arg: 'K', description: 'how many worst-scored images to keep (default 8)' },
    limit: { type: 'string', arg: 'N', description: 'score at most N images (of each part of A+B)' },
    batch: { type: 'string', arg: 'B', description: 'images per inference batch (default 256)' },
    decoder: { type: 'string', arg: 'DEC.onnx', description: 'decoder file; MODEL is then the encoder' },
    bottleneck: { type: 'string', arg: 'TENSOR', description: 'split at this tensor instead of the detected bottleneck' },
    ...PREPROCESS_OPTIONS,
  },
  async run(ctx) {
    const [modelSpec, inputSpec] = ctx.args as [string, string];
    const score = str(ctx, 'score') ?? 'mean';
    if (!(SCORES as readonly string[]).includes(score)) throw new UsageError(`--score must be ${SCORES.join(', ')} (got "${score}")`, CMD);
    const error = str(ctx, 'error') ?? 'l2';
    if (!(ERRORS as readonly string[]).includes(error)) throw new UsageError(`--error must be ${ERRORS.join(', ')} (got "${error}")`, CMD);
    const fprText = str(ctx, 'fpr') ?? '0.05';
    const fpr = Number(fprText);
    if (!(fpr >= 0 && fpr <= 1) || fprText.trim() === '') throw new UsageError(`--fpr must be a number from 0 to 1 (got "${fprText}")`, CMD);
    const worstK = posInt(ctx, 'worst', 8, 1000)!;
    const limit = posInt(ctx, 'limit', undefined);
    const batch = posInt(ctx, 'batch', 256, 4096)!;
    const normalLabels = (ctx.values['normal-label'] as string[] | undefined) ?? [];
    const overrides = preprocessOverrides(ctx.values, CMD);

    const [{ Runtime, describeReport }, { openAutoencoder }, { openImageSet }, { scoreSet }, { createProgress }] = await Promise.all([
      import('../../runtime/index.ts'), import('../../autoencoder/open.ts'), import('../../autoencoder/image-sets.ts'),
      import('../../autoencoder/scoring.ts'), import('../progress.ts'),
    ]);
    const runtime = await Runtime.create({ provider: ctx.provider });
    const ac = new AbortController();
    const onSigint = () => { if (ac.signal.aborted) process.exit(EXIT.cancelled); ac.abort(); };
    process.on('SIGINT', onSigint);
    try {
      const ae = await openAutoencoder(runtime, modelSpec, { decoder: str(ctx, 'decoder'), bottleneck: str(ctx, 'bottleneck'), overrides });
      const wb = ae.workbench;
      if (!ctx.json) {
        ctx.out.info(`provider: ${describeReport(runtime.report)}`);
        for (const n of ae.notes) ctx.out.info(`note: ${n}`);
        ctx.out.info(`bottleneck "${wb.split.bottleneck.tensor}" [${wb.split.bottleneck.shape.join('×')}], compression ${wb.split.compressionRatio.toFixed(1)}:1${wb.split.note ? ` (${wb.split.note})` : ''}`);
      }
      const set = openImageSet(inputSpec, wb.preprocessing, { labelsPath: str(ctx, 'labels'), limit });
      const bar = createProgress({ total: set.count, label: 'scoring', stream: ctx.out.stderr, silent: ctx.json });
      const r = await scoreSet(wb, set, {
        score: score as (typeof SCORES)[number], error: error as (typeof ERRORS)[number], normalLabels, targetFpr: fpr, worst: worstK, batchSize: batch,
        signal: ac.signal, onProgress: (d) => bar.update(d),
      });
      bar.done();
      const ev = r.evaluation;
      const outDir = str(ctx, 'out');
      if (outDir) {
        const { mkdirSync, writeFileSync } = await import('node:fs');
        const { join } = await import('node:path');
        const { stripPng } = await import('../../autoencoder/images.ts');
        mkdirSync(outDir, { recursive: true });
        const lines = ['index,name,label,anomalous,score,flagged'];
        for (let i = 0; i < set.count; i++) {
          const flagged = ev ? (r.scores[i]! >= ev.threshold ? 1 : 0) : '';
          lines.push([i, csvCell(r.names[i]!), csvCell(r.labels?.[i] ?? ''), r.anomalous ? r.anomalous[i] : '', r.scores[i], flagged].join(','));
        }
        writeFileSync(join(outDir, 'scores.csv'), `${lines.join('\n')}\n`);
        let k = 0;
        for (const w of r.worst) {
          const png = await stripPng(wb.toPixels(w.input), wb.toPixels(w.recon), w.errorMap, wb.sampleDims);
          writeFileSync(join(outDir, `worst-${String(++k).padStart(2, '0')}-${w.index}.png`), png);
        }
        writeFileSync(join(outDir, 'summary.json'), `${JSON.stringify(summary(), null, 2)}\n`);
      }
      function summary() {
        return {
          model: modelSpec, input: inputSpec, count: set.count, score, error, bottleneck: wb.split.bottleneck, compressionRatio: wb.split.compressionRatio,
          normalLabels, labelNote: r.labelNote,
          evaluation: ev ? { auroc: ev.auroc, averagePrecision: ev.averagePrecision, targetFpr: ev.targetFpr, threshold: ev.threshold, confusion: ev.confusion, normal: ev.normalCount, anomalous: ev.anomalousCount } : undefined,
          worst: r.worst.map((w) => ({ index: w.index, name: w.name, label: w.label, score: w.score })),
          seconds: r.seconds,
        };
      }
      if (ctx.json) { ctx.out.json({ ...summary(), scores: Array.from(r.scores), out: outDir }); return EXIT.ok; }
      const stats = (() => { let lo = Infinity, hi = -Infinity, s = 0; for (const v of r.scores) { lo = Math.min(lo, v); hi = Math.max(hi, v); s += v; } return { lo, hi, mean: s / r.scores.length }; })();
      ctx.out.line(`${set.count} images scored (${score}${score === 'ssim' ? '' : `, ${error}`}) in ${r.seconds.toFixed(1)} s: min ${stats.lo.toPrecision(4)}, mean ${stats.mean.toPrecision(4)}, max ${stats.hi.toPrecision(4)}`);
      if (ev) {
        const c = ev.confusion;
        ctx.out.line(`normal ${ev.normalCount}, anomalous ${ev.anomalousCount}`);
        ctx.out.line(`AUROC ${ev.auroc.toFixed(4)}   AP ${ev.averagePrecision.toFixed(4)}`);
        ctx.out.line(`threshold ${ev.threshold.toPrecision(6)} (target FPR ${fpr}): TPR ${c.tpr.toFixed(4)}, FPR ${c.fpr.toFixed(4)}, precision ${c.precision.toFixed(4)}`);
        ctx.out.line(`confusion: TP ${c.tp}  FP ${c.fp}  TN ${c.tn}  FN ${c.fn}`);
      } else if (r.labelNote) ctx.out.info(`note: ${r.labelNote}`);
      ctx.out.line(`worst: ${r.worst.slice(0, 5).map((w) => `${w.name}${w.label !== undefined ? ` [${w.label}]` : ''} ${w.score.toPrecision(4)}`).join(', ')}`);
      if (outDir) ctx.out.line(`wrote ${outDir}/scores.csv, summary.json and ${r.worst.length} worst-*.png`);
      return EXIT.ok;
    } finally {
      process.off('SIGINT', onSigint);
      await runtime.dispose();
    }
  },
};

export default scoreCommand;
