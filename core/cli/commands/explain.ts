// `receptive explain MODEL INPUT... --method gradcam,scorecam,...`: saliency maps for a batch of
// inputs — an overlay PNG and the raw map (.npy, model-input resolution) per input and method, a
// CSV of scores, and a self-contained HTML report. A bad input is reported and skipped.
import type { Command } from '../registry.ts';
import { UsageError, EXIT, oneLine } from '../errors.ts';
import { PREPROCESS_OPTIONS, preprocessOverrides } from '../preprocess-options.ts';

const int = (v: unknown, what: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${what} must be a positive whole number (got "${String(v)}")`, 'explain');
  return n;
};

const explain: Command = {
  name: 'explain',
  summary: 'saliency maps (Grad-CAM, Score-CAM, IG, RISE, …) for images, with scores and an HTML report',
  usage: 'receptive explain MODEL INPUT... [--method gradcam,scorecam,...] [--layer L] [--target top1|K] [--out DIR] [--colormap NAME] [--norm image|dataset] [--faithfulness]',
  description: [
    'MODEL is an .onnx file or zoo:NAME; INPUT is an image (PNG, JPEG, TIFF), a DICOM file, or an .npy array',
    'already in model-input units. Methods: gradcam, gradcam++, xgradcam, hirescam, layercam, saliency,',
    'gradxinput, smoothgrad, ig, guided-backprop, guided-gradcam, scorecam, ablationcam, eigencam, occlusion, rise.',
    'Writes DIR/<input>/<method>.png (overlay on the original image) and .npy (raw map at model-input size),',
    'DIR/scores.csv and DIR/report.html. Exits non-zero only when every input failed.',
  ].join('\n'),
  positionals: { min: 2, names: 'MODEL and INPUT' },
  options: {
    method: { type: 'string', arg: 'LIST', description: 'comma-separated methods (default gradcam)' },
    layer: { type: 'string', arg: 'L', description: 'layer for CAM methods (node or tensor name; default: last spatial conv/activation)' },
    target: { type: 'string', arg: 'top1|K', description: 'class to explain (default top1)' },
    out: { type: 'string', arg: 'DIR', description: 'output directory (default ./explain-out)' },
    colormap: { type: 'string', arg: 'NAME', description: 'viridis, magma, inferno, turbo, jet, gray (default jet)' },
    norm: { type: 'string', arg: 'MODE', description: 'overlay scaling: image (each map to its own range, default) or dataset (one range per method)' },
    faithfulness: { type: 'boolean', description: 'add deletion/insertion AUC and ROAD scores per method (slower)' },
    output: { type: 'string', arg: 'NAME', description: 'model output with the class scores (default: the first)' },
    'ig-steps': { type: 'string', arg: 'N', description: 'Integrated Gradients steps (default 32)' },
    'ig-baseline': { type: 'string', arg: 'B', description: 'IG baseline: zero, blur or a number (default zero)' },
    samples: { type: 'string', arg: 'N', description: 'SmoothGrad samples (default 25)' },
    noise: { type: 'string', arg: 'F', description: 'SmoothGrad noise level, fraction of the input range (default 0.15)' },
    masks: { type: 'string', arg: 'N', description: 'RISE masks (default 2000)' },
    cell: { type: 'string', arg: 'PX', description: 'RISE cell size in pixels (default side/7)' },
    patch: { type: 'string', arg: 'PX', description: 'occlusion patch side (default side/8)' },
    stride: { type: 'string', arg: 'PX', description: 'occlusion stride (default patch/2)' },
    channels: { type: 'string', arg: 'N', description: 'Score-CAM: at most N most active channels (default all)' },
    ...PREPROCESS_OPTIONS,
  },
  async run(ctx) {
    const [modelSpec, ...inputs] = ctx.args as [string, ...string[]];
    const v = ctx.values;
    const overrides = preprocessOverrides(v, 'explain');
    const { resolveMethods } = await import('../../explain/registry.ts');
    const { resolveOptions } = await import('../../explain/options.ts');
    const { isColormap } = await import('../../viz/colormap.ts');
    let methods: string[];
    try { methods = resolveMethods(String(v.method ?? 'gradcam').split(',').filter((s) => s.trim())); } catch (e) { throw new UsageError((e as Error).message.replace(/^explain: /, ''), 'explain'); }
    const colormap = String(v.colormap ?? 'jet');
    if (!isColormap(colormap)) throw new UsageError(`--colormap: unknown colour map "${colormap}"`, 'explain');
    const norm = String(v.norm ?? 'image');
    if (norm !== 'image' && norm !== 'dataset') throw new UsageError(`--norm must be image or dataset (got "${norm}")`, 'explain');
    let target: 'top1' | number = 'top1';
    if (v.target !== undefined && v.target !== 'top1') {
      target = Number(v.target);
      if (!Number.isInteger(target) || target < 0) throw new UsageError(`--target must be top1 or a class index (got "${String(v.target)}")`, 'explain');
    }
    const igb = v['ig-baseline'] === undefined ? undefined : v['ig-baseline'] === 'zero' || v['ig-baseline'] === 'blur' ? v['ig-baseline'] as 'zero' | 'blur' : Number(v['ig-baseline']);
    const options = {
      ig: { steps: int(v['ig-steps'], '--ig-steps'), baseline: igb },
      smoothgrad: { samples: int(v.samples, '--samples'), noise: v.noise === undefined ? undefined : Number(v.noise) },
      rise: { masks: int(v.masks, '--masks'), cell: int(v.cell, '--cell') },
      occlusion: { patch: int(v.patch, '--patch'), stride: int(v.stride, '--stride') },
      scorecam: { maxChannels: int(v.channels, '--channels') },
    };
    const outDir = String(v.out ?? 'explain-out');

    const { mkdir, writeFile, readFile } = await import('node:fs/promises');
    const { join, basename, extname } = await import('node:path');
    const { openModel } = await import('../model-source.ts');
    const { preprocessingOf, classNamesOf } = await import('../../data/preprocessing.ts');
    const { Runtime, describeReport } = await import('../../runtime/index.ts');
    const { createProgress } = await import('../progress.ts');
    const { ExplainModel } = await import('../../explain/model.ts');
    const { explainImage } = await import('../../explain/explain.ts');
    const { loadExplainInput } = await import('../../explain/input.ts');
    const { normalizeSaliency } = await import('../../explain/resize.ts');
    const { overlayPng, thumbnail } = await import('../../explain/render.ts');
    const { faithfulness } = await import('../../explain/faithfulness-run.ts');
    const { scoresCsv, htmlReport } = await import('../../explain/report.ts');
    const { encodeNpy, decodeNpy } = await import('../../data/npy.ts');
    type Row = import('../../explain/report.ts').ReportRow;

    const src = await openModel(modelSpec);
    const prep = preprocessingOf(src.model, { modelPath: src.path, overrides });
    const p = prep.preprocessing;
    const labels = classNamesOf(src.model, src.path);
    for (const n of prep.notes) if (!ctx.json) ctx.out.info(`note: ${n}`);
    const runtime = await Runtime.create({ provider: ctx.provider });
    if (!ctx.json) ctx.out.info(`provider: ${describeReport(runtime.report)}`);
    const em = ExplainModel.create(src.model, runtime, { output: typeof v.output === 'string' ? v.output : undefined });
    const [C, H, W] = em.inputShape;
    if (C !== p.channels || H !== p.size[0] || W !== p.size[1]) {
      throw new UsageError(`${src.name} takes [${C}, ${H}, ${W}] but the preprocessing gives ${p.channels}×${p.size[0]}×${p.size[1]} (fix --size/--gray/--rgb or the sidecar)`, 'explain');
    }
    resolveOptions(options, H, W); // fail on bad settings before any work
    await mkdir(outDir, { recursive: true });
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once('SIGINT', onSigint);
    const progress = createProgress({ total: inputs.length * methods.length, label: 'explaining', silent: ctx.json });
    const rows: Row[] = [];
    // Only names are kept between the passes (inputs are read again for the overlays), so memory
    // does not grow with the number of inputs.
    const kept: { row: Row; file: string; dir: string }[] = [];
    const ranges = new Map<string, Float32Array[]>();
    const signedOf = new Map<string, boolean>();
    const usedDirs = new Set<string>();
    let failures = 0;
    try {
      for (const [ii, file] of inputs.entries()) {
        let stem = basename(file, extname(file)).replace(/[^A-Za-z0-9._-]/g, '_') || 'input';
        for (let k = 2; usedDirs.has(stem); k++) stem = `${basename(file, extname(file)).replace(/[^A-Za-z0-9._-]/g, '_')}_${k}`;
        usedDirs.add(stem);
        const row: Row = { input: file, methods: [] };
        rows.push(row);
        try {
          const input = await loadExplainInput(file, p, em.inputShape);
          const r = await explainImage(em, input.x, {
            methods, layer: typeof v.layer === 'string' ? v.layer : undefined, target, options, signal: abort.signal,
            onProgress: (q) => progress.update(ii * methods.length + q.methodIndex + (q.total && q.done === q.total ? 1 : 0), `${basename(file)} ${q.method}`),
          });
          Object.assign(row, {
            predicted: r.predicted.index, predictedLabel: labels?.[r.predicted.index] ?? String(r.predicted.index), probability: r.predicted.probability,
            target: r.target.index, targetProbability: r.target.probability, note: input.note,
          });
          const dir = join(outDir, stem);
          await mkdir(dir, { recursive: true });
          for (const m of r.results) {
            await writeFile(join(dir, `${m.method}.npy`), encodeNpy(m.map, [m.height, m.width]));
            const rm: Row['methods'][number] = { method: m.method, ms: m.ms, ...(m.extra ? { extra: m.extra } : {}) };
            if (v.faithfulness) {
              const f = await faithfulness(em, input.x, m.map, r.target.index, { signal: abort.signal });
              Object.assign(rm, { deletionAuc: f.deletionAuc, insertionAuc: f.insertionAuc, roadMorfAuc: f.road.morfAuc, roadLerfAuc: f.road.lerfAuc });
            }
            row.methods.push(rm);
            signedOf.set(m.method, m.signed);
            if (!ranges.has(m.method)) ranges.set(m.method, []);
            // Only the range is needed across the data set; the map itself is re-read from .npy.
            let lo = Infinity, hi = -Infinity;
            for (const x of m.map) { if (x < lo) lo = x; if (x > hi) hi = x; }
            ranges.get(m.method)!.push(Float32Array.of(lo, hi));
          }
          kept.push({ row, file, dir });
        } catch (e) {
          if ((e as Error).name === 'AbortError') throw e;
          failures++;
          row.error = oneLine(e);
          progress.update((ii + 1) * methods.length);
          ctx.out.info(`skipped ${file}: ${row.error}`);
        }
      }
      progress.done();
      // Overlays after all maps exist, so --norm dataset can use one range per method.
      for (const { row, file, dir } of kept) {
        const input = await loadExplainInput(file, p, em.inputShape);
        if (input.display || input.kind === 'npy') {
          const orig = input.display ? await thumbnail(await (await import('sharp')).default(input.display).rotate().png().toBuffer().then((b) => new Uint8Array(b))) : undefined;
          if (orig) row.original = orig;
        }
        for (const rm of row.methods) {
          const raw = decodeNpy(new Uint8Array(await readFile(join(dir, `${rm.method}.npy`)))).data;
          let scaled: Float32Array;
          if (norm === 'dataset') {
            const rs = ranges.get(rm.method)!;
            scaled = normalizeSaliency([raw, ...rs], 'dataset', signedOf.get(rm.method))[0]!;
          } else scaled = normalizeSaliency([raw], 'image', signedOf.get(rm.method))[0]!;
          const png = await overlayPng(input, scaled, input.geometry, p, em.inputShape, { colormap });
          await writeFile(join(dir, `${rm.method}.png`), png);
          rm.overlay = await thumbnail(png);
        }
      }
      await writeFile(join(outDir, 'scores.csv'), scoresCsv(rows, methods, !!v.faithfulness));
      const html = htmlReport(`receptive explain — ${src.name}`, {
        model: modelSpec, methods: methods.join(', '), layer: methods.some((m) => !['saliency', 'gradxinput', 'smoothgrad', 'ig', 'guided-backprop', 'occlusion', 'rise'].includes(m)) ? em.layer(typeof v.layer === 'string' ? v.layer : undefined).node : '–',
        target: String(target), normalisation: norm, provider: runtime.report.chosen, inputs: `${inputs.length} (${failures} failed)`,
      }, rows, methods);
      await writeFile(join(outDir, 'report.html'), html);
      for (const r of rows) r.original = undefined;
      if (ctx.json) {
        ctx.out.json({ model: modelSpec, out: outDir, methods, failures, results: rows.map((r) => ({ ...r, methods: r.methods.map(({ overlay: _o, ...m }) => m) })) });
      } else {
        ctx.out.line(`${inputs.length - failures} of ${inputs.length} inputs explained with ${methods.join(', ')}; wrote ${join(outDir, 'report.html')}, ${join(outDir, 'scores.csv')}`);
      }
      return failures === inputs.length ? EXIT.failed : EXIT.ok;
    } finally {
      process.off('SIGINT', onSigint);
      await em.dispose();
      await runtime.dispose();
    }
  },
};

export default explain;
