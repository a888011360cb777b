// `receptive inspect MODEL`: one row per layer with shapes, window geometry, receptive field,
// parameters and MACs, then totals.
import type { Command } from '../registry.ts';
import type { LayerInfo, ModelSummary, Shape } from '../../analysis/types.ts';
import { compact, int, table } from '../output.ts';

const shape = (s: Shape | null | undefined): string => (s ? `[${s.join('×')}]` : '?');

function geometry(l: LayerInfo): string {
  if (!l.kernel) return '';
  const k = `k${l.kernel[0] === l.kernel[1] ? l.kernel[0] : l.kernel.join('×')}`;
  const s = l.stride ? ` s${l.stride[0] === l.stride[1] ? l.stride[0] : l.stride.join('×')}` : '';
  const p = l.pads && l.pads.some((x) => x !== 0) ? ` p${new Set(l.pads).size === 1 ? l.pads[0] : l.pads.join(',')}` : '';
  const d = l.dilation && l.dilation.some((x) => x !== 1) ? ` d${l.dilation.join('×')}` : '';
  const g = l.groups && l.groups > 1 ? ` g${l.groups}` : '';
  return `${k}${s}${p}${d}${g}`;
}

function rf(l: LayerInfo): string {
  const r = l.receptiveField;
  if (!r) return '';
  return r.size[0] === r.size[1] ? `${r.size[0]}` : `${r.size[0]}×${r.size[1]}`;
}

export function summaryTable(s: ModelSummary): string {
  const rows = s.layers.map((l) => [
    l.index, l.name, l.op, l.outputShapes.map(shape).join(' '), geometry(l), rf(l), l.params ? int(l.params) : '', l.macs ? compact(l.macs) : '',
  ]);
  return table(['#', 'name', 'op', 'output', 'kernel/stride/pad', 'RF', 'params', 'MACs'], rows, { align: ['r', 'l', 'l', 'l', 'l', 'r', 'r', 'r'] });
}

const inspect: Command = {
  name: 'inspect',
  summary: 'list layers with output shapes, kernels, receptive fields, parameters and MACs',
  usage: 'receptive inspect MODEL [--json]',
  description: 'MODEL is an .onnx file or zoo:NAME. MACs count one input (batch 1); symbolic dimensions count as 1.',
  positionals: { min: 1, max: 1, names: 'MODEL' },
  async run(ctx) {
    const { openModel } = await import('../model-source.ts');
    const { analyzeModel } = await import('../../analysis/summary.ts');
    const src = await openModel(ctx.args[0]!);
    const summary = analyzeModel(src.model, { name: src.name });
    summary.warnings = [...src.warnings, ...summary.warnings];
    if (ctx.json) { ctx.out.json({ model: ctx.args[0], summary }); return; }
    const io = (xs: ModelSummary['inputs']) => xs.map((t) => `${t.name} ${shape(t.shape)} ${t.dtype}`).join(', ');
    ctx.out.line(`${summary.name}  (producer ${summary.producer || '?'}, IR ${summary.irVersion}, opset ${Object.entries(summary.opsets).map(([d, v]) => `${d || 'ai.onnx'} ${v}`).join(', ')})`);
    ctx.out.line(`inputs:  ${io(summary.inputs)}`);
    ctx.out.line(`outputs: ${io(summary.outputs)}`);
    ctx.out.line('');
    ctx.out.line(summaryTable(summary));
    ctx.out.line('');
    ctx.out.line(`total: ${summary.totals.layers} layers, ${int(summary.totals.params)} parameters${summary.totals.buffers ? ` (+ ${int(summary.totals.buffers)} BatchNorm statistics)` : ''}, ${compact(summary.totals.macs)} MACs (${int(summary.totals.macs)})`);
    for (const w of summary.warnings) ctx.out.info(`warning: ${w}`);
  },
};

export default inspect;
