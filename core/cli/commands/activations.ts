// `receptive activations MODEL IMAGE --layer L --out DIR`: one layer's feature maps for one image,
// as a tile-grid PNG (colour-mapped, normalised per channel or per layer) and the raw tensor (.npy).
import type { Command } from '../registry.ts';
import { UsageError } from '../errors.ts';
import { table } from '../output.ts';
import { PREPROCESS_OPTIONS, preprocessOverrides } from '../preprocess-options.ts';

/** A layer name as a file name: anything but letters, digits, dot, dash and underscore becomes "_". */
export function layerFileName(layer: string): string {
  const s = layer.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return s.slice(0, 120) || 'layer';
}

/** Integer tile scale so small maps are still visible (about 64 pixels per tile, at most ×8). */
export function defaultTileScale(h: number, w: number): number {
  return Math.max(1, Math.min(8, Math.round(64 / Math.max(h, w, 1))));
}

const activations: Command = {
  name: 'activations',
  summary: "write one layer's feature maps for an image as a PNG tile grid and a .npy tensor",
  usage: 'receptive activations MODEL IMAGE --layer L --out DIR [--colormap NAME] [--norm channel|layer] [--sort index|mean] [--json]',
  description: [
    'MODEL is an .onnx file or zoo:NAME; IMAGE is an image file or a shipped sample: mnist:test:N, fashion:test:N.',
    'L is a tensor name or a node name (see `receptive inspect MODEL`). Writes DIR/L.png (one tile per',
    'channel) and DIR/L.npy (the float32 tensor, batch axis included). --json prints the shape and per-channel statistics.',
  ].join('\n'),
  positionals: { min: 2, max: 2, names: 'MODEL and IMAGE' },
  options: {
    layer: { type: 'string', short: 'l', arg: 'L', description: 'layer (tensor or node name)' },
    out: { type: 'string', short: 'o', arg: 'DIR', description: 'output folder (created if missing)' },
    colormap: { type: 'string', arg: 'NAME', description: 'viridis (default), magma, inferno, turbo, jet, gray, rdbu' },
    norm: { type: 'string', arg: 'MODE', description: 'channel (default: each map to its own range) or layer (one range, comparable)' },
    sort: { type: 'string', arg: 'BY', description: 'tile order: index (default) or mean (most active first)' },
    scale: { type: 'string', arg: 'N', description: 'pixels per activation (default: about 64 pixels per tile)' },
    ...PREPROCESS_OPTIONS,
  },
  async run(ctx) {
    const [modelSpec, imageSpec] = ctx.args as [string, string];
    const layer = typeof ctx.values.layer === 'string' ? ctx.values.layer : undefined;
    const outDir = typeof ctx.values.out === 'string' ? ctx.values.out : undefined;
    if (!layer) throw new UsageError('--layer is required (a tensor or node name; `receptive inspect MODEL` lists them)', 'activations');
    if (!outDir) throw new UsageError('--out DIR is required', 'activations');
    const colormap = typeof ctx.values.colormap === 'string' ? ctx.values.colormap : 'viridis';
    const norm = typeof ctx.values.norm === 'string' ? ctx.values.norm : 'channel';
    const sort = typeof ctx.values.sort === 'string' ? ctx.values.sort : 'index';
    const { isColormap, COLORMAP_NAMES } = await import('../../viz/colormap.ts');
    if (!isColormap(colormap)) throw new UsageError(`--colormap must be one of ${COLORMAP_NAMES.join(', ')} (got "${colormap}")`, 'activations');
    if (norm !== 'channel' && norm !== 'layer') throw new UsageError(`--norm must be channel or layer (got "${norm}")`, 'activations');
    if (sort !== 'index' && sort !== 'mean') throw new UsageError(`--sort must be index or mean (got "${sort}")`, 'activations');
    let scale: number | undefined;
    if (ctx.values.scale !== undefined) {
      scale = Number(ctx.values.scale);
      if (!Number.isInteger(scale) || scale < 1 || scale > 64) throw new UsageError(`--scale must be an integer from 1 to 64 (got "${String(ctx.values.scale)}")`, 'activations');
    }
    const overrides = preprocessOverrides(ctx.values, 'activations');

    const { mkdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { openModel } = await import('../model-source.ts');
    const { preprocessingOf } = await import('../../data/preprocessing.ts');
    const { ActivationSession, prepareInput, parseSampleSpec, resolveLayer } = await import('../../activations/index.ts');
    const { Runtime } = await import('../../runtime/index.ts');
    const { normalizeMaps, channelOrder } = await import('../../viz/normalize.ts');
    const { tileGrid } = await import('../../viz/grid.ts');
    const { writePng } = await import('../../data/png.ts');
    const { writeNpy } = await import('../../data/npy.ts');

    const src = await openModel(modelSpec);
    resolveLayer(src.model, layer); // a bad name fails before any image work
    const prep = preprocessingOf(src.model, { modelPath: src.path, overrides });
    if (!ctx.json) for (const n of prep.notes) ctx.out.info(`note: ${n}`);
    const sample = parseSampleSpec(imageSpec);
    const input = await prepareInput(sample ? { kind: 'sample', ...sample } : { kind: 'path', path: imageSpec }, prep.preprocessing);

    const runtime = await Runtime.create({ provider: ctx.provider });
    try {
      const session = new ActivationSession({ model: src.model, runtime, name: src.name });
      const a = await session.activations(input.tensor, layer);
      const spatial = a.dims.length === 4;
      // Non-spatial layers (fully connected) become one near-square tile of units, normalised as a
      // layer; cells past the last unit are NaN (drawn as background black).
      const n = a.data.length;
      const w = spatial ? a.dims[3]! : Math.ceil(Math.sqrt(n)), h = spatial ? a.dims[2]! : Math.ceil(n / w);
      const channels = spatial ? a.channels : 1;
      let planes = normalizeMaps(a.data, channels, spatial ? norm : 'layer');
      if (!spatial) { const padded = new Float32Array(w * h).fill(NaN); padded.set(planes); planes = padded; }
      const order = spatial ? channelOrder(a.stats, sort) : undefined;
      const s = scale ?? defaultTileScale(h, w);
      const grid = tileGrid(planes, channels, h, w, { colormap, order, scale: s, gap: 1 });
      mkdirSync(outDir, { recursive: true });
      const base = join(outDir, layerFileName(a.layer.tensor));
      await writePng(`${base}.png`, { width: grid.width, height: grid.height, channels: 4, data: new Uint8Array(grid.data.buffer, grid.data.byteOffset, grid.data.byteLength) });
      writeNpy(`${base}.npy`, a.data, a.dims);
      await session.dispose();
      if (ctx.json) {
        ctx.out.json({
          model: modelSpec, image: imageSpec, layer: a.layer, shape: a.dims, png: `${base}.png`, npy: `${base}.npy`,
          png_size: [grid.width, grid.height], scale: s, norm: spatial ? norm : 'layer', order: order ?? null,
          zeroFraction: a.zeroFraction, receptiveField: a.receptiveField, formula: a.formula ?? null,
          stats: a.stats.map((st, c) => ({ channel: c, ...st })),
        });
        return;
      }
      ctx.out.line(`${a.layer.tensor}${a.layer.op ? ` (${a.layer.op})` : ''}: [${a.dims.join('×')}], ${(a.zeroFraction * 100).toFixed(1)}% zeros`);
      const shown = (order ?? a.stats.map((_, i) => i)).slice(0, 16);
      ctx.out.line(table(['channel', 'min', 'max', 'mean', 'zeros'], shown.map((c) => {
        const st = a.stats[c]!;
        return [c, st.min.toPrecision(4), st.max.toPrecision(4), st.mean.toPrecision(4), st.zeros];
      })));
      if (a.stats.length > shown.length) ctx.out.line(`… ${a.stats.length - shown.length} more channels (--json lists all)`);
      ctx.out.line(`wrote ${base}.png (${grid.width}×${grid.height}) and ${base}.npy`);
    } finally {
      await runtime.dispose();
    }
  },
};

export default activations;
