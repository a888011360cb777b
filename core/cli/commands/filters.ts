// `receptive filters MODEL --layer L --out DIR`: a Conv layer's kernels as one PNG (RGB tiles for a
// first layer on colour input, slices per input channel deeper) and the weights as .npy.
import type { Command } from '../registry.ts';
import { UsageError } from '../errors.ts';
import { table } from '../output.ts';
import { layerFileName } from './activations.ts';

const filters: Command = {
  name: 'filters',
  summary: "write a convolution layer's kernels as a PNG grid and a .npy tensor",
  usage: 'receptive filters MODEL --layer L --out DIR [--view rgb|gray|slices] [--scale N] [--bins B] [--json]',
  description: [
    'MODEL is an .onnx file or zoo:NAME; L a Conv node (or its output tensor). Weights are drawn symmetric',
    'around 0 (the largest |w| of the layer sets the range). Writes DIR/L.png and DIR/L.npy ([out, in, kH, kW]).',
  ].join('\n'),
  positionals: { min: 1, max: 1, names: 'MODEL' },
  options: {
    layer: { type: 'string', short: 'l', arg: 'L', description: 'Conv layer (node or output tensor name)' },
    out: { type: 'string', short: 'o', arg: 'DIR', description: 'output folder (created if missing)' },
    view: { type: 'string', arg: 'V', description: 'rgb (3 input channels), gray (1), slices (one tile per input channel); default by layer' },
    scale: { type: 'string', arg: 'N', description: 'pixels per weight (default: about 16 pixels per kernel)' },
    bins: { type: 'string', arg: 'B', description: 'histogram bins for --json (default 64)' },
  },
  async run(ctx) {
    const [modelSpec] = ctx.args as [string];
    const layer = typeof ctx.values.layer === 'string' ? ctx.values.layer : undefined;
    const outDir = typeof ctx.values.out === 'string' ? ctx.values.out : undefined;
    if (!layer) throw new UsageError('--layer is required (a Conv layer; `receptive inspect MODEL` lists them)', 'filters');
    if (!outDir) throw new UsageError('--out DIR is required', 'filters');
    const view = ctx.values.view;
    if (view !== undefined && view !== 'rgb' && view !== 'gray' && view !== 'slices') throw new UsageError(`--view must be rgb, gray or slices (got "${String(view)}")`, 'filters');
    const num = (k: string, lo: number, hi: number): number | undefined => {
      if (ctx.values[k] === undefined) return undefined;
      const v = Number(ctx.values[k]);
      if (!Number.isInteger(v) || v < lo || v > hi) throw new UsageError(`--${k} must be an integer from ${lo} to ${hi} (got "${String(ctx.values[k])}")`, 'filters');
      return v;
    };
    const scale = num('scale', 1, 64), bins = num('bins', 1, 10_000);

    const { mkdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { openModel } = await import('../model-source.ts');
    const { layerFilters, kernelGrid } = await import('../../filters/index.ts');
    const { writePng } = await import('../../data/png.ts');
    const { writeNpy } = await import('../../data/npy.ts');

    const src = await openModel(modelSpec);
    const f = layerFilters(src.model, layer, { bins });
    const chosen = view ?? f.view;
    if (chosen === 'rgb' && f.dims[1] !== 3) throw new UsageError(`--view rgb needs kernels with 3 input channels; "${f.layer}" has ${f.dims[1]}`, 'filters');
    if (chosen === 'gray' && f.dims[1] !== 1) throw new UsageError(`--view gray needs kernels with 1 input channel; "${f.layer}" has ${f.dims[1]}`, 'filters');
    const grid = kernelGrid(f, { view: chosen, scale });
    mkdirSync(outDir, { recursive: true });
    const base = join(outDir, layerFileName(f.layer));
    const img = grid.image;
    await writePng(`${base}.png`, { width: img.width, height: img.height, channels: 4, data: new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength) });
    writeNpy(`${base}.npy`, f.data, f.dims);
    if (ctx.json) {
      ctx.out.json({
        model: modelSpec, layer: f.layer, op: f.op, weight: f.weight, via: f.via, dims: f.dims, groups: f.groups, view: chosen,
        png: `${base}.png`, npy: `${base}.npy`, png_size: [img.width, img.height], columns: grid.columns, rows: grid.rows,
        histogram: { min: f.histogram.min, max: f.histogram.max, bins: f.histogram.bins, counts: Array.from(f.histogram.counts) },
        norms: Array.from(f.norms),
      });
      return;
    }
    ctx.out.line(`${f.layer} (${f.op}): weights "${f.weight}" [${f.dims.join('×')}]${f.groups > 1 ? `, ${f.groups} groups` : ''}, range ${f.histogram.min.toPrecision(3)} … ${f.histogram.max.toPrecision(3)}`);
    const order = Array.from(f.norms.keys()).sort((a, b) => f.norms[b]! - f.norms[a]! || a - b).slice(0, 8);
    ctx.out.line(table(['filter', 'L2 norm'], order.map((i) => [i, f.norms[i]!.toPrecision(4)])));
    ctx.out.line(`wrote ${base}.png (${img.width}×${img.height}, ${chosen}) and ${base}.npy`);
  },
};

export default filters;
