// The autoencoder split as the graph view shows it: each drawn node's part (encoder, bottleneck,
// decoder), the part colours shared by the graph, its legend, the details panel and the
// Autoencoder view, and the legend's wording. The host decides the parts (aeInfo.nodeParts);
// this only matches them to the summary's layers and the graph's terminals.
import type { ModelSummary } from '../../../core/analysis/types.ts';
import type { AeInfo, AeNodePart, ZooEntry } from '../../../electron/api/contract.ts';
import type { GraphModel } from './graph-model.ts';
import { formatShape } from './format.ts';

export type AePart = AeNodePart['part'];

export interface AePartStyle { label: string; color: string }

/** Blue → magenta → teal: apart from each other and readable as translucent bands on the dark canvas. */
export const AE_PART_STYLE: Record<AePart, AePartStyle> = {
  encoder: { label: 'Encoder', color: '#5b8def' },
  bottleneck: { label: 'Bottleneck', color: '#e0589e' },
  decoder: { label: 'Decoder', color: '#2fbf8f' },
};

export const AE_PARTS: readonly AePart[] = ['encoder', 'bottleneck', 'decoder'];

/** What the graph and the details panel need of a split. */
export interface LayerSplit {
  /** Part of each summary layer; null for a layer the host did not describe. */
  layerParts: (AePart | null)[];
  bottleneck: string;
  /** e.g. "N × 16" (the host measures at batch 1; the batch is shown as N). */
  bottleneckShape: string;
  compressionRatio: number;
  /** Layers per part. */
  counts: Record<AePart, number>;
  trueBottleneck: boolean;
}

/** Matches the host's per-node parts to the summary's layers by output tensor (unique in a graph; layer names need not be). */
export function layerSplit(summary: ModelSummary, info: Pick<AeInfo, 'nodeParts' | 'bottleneck' | 'compressionRatio' | 'trueBottleneck'>): LayerSplit {
  const byOutput = new Map<string, AePart>();
  for (const p of info.nodeParts ?? []) if (p.output) byOutput.set(p.output, p.part);
  const layerParts = summary.layers.map((l) => {
    for (const o of l.outputs) { const p = byOutput.get(o); if (p) return p; }
    return null;
  });
  const counts: Record<AePart, number> = { encoder: 0, bottleneck: 0, decoder: 0 };
  for (const p of layerParts) if (p) counts[p]++;
  const shape = info.bottleneck.shape;
  return {
    layerParts, bottleneck: info.bottleneck.tensor, bottleneckShape: formatShape(shape.length > 1 ? ['N', ...shape.slice(1)] : shape),
    compressionRatio: info.compressionRatio, counts, trueBottleneck: info.trueBottleneck,
  };
}

/** Part of each drawn node: layers as split, the input terminals encoder and the output terminals decoder. */
export function graphNodeParts(graph: GraphModel, split: Pick<LayerSplit, 'layerParts'>): (AePart | null)[] {
  return graph.nodes.map((n) => (n.kind === 'layer' ? split.layerParts[n.layer] ?? null : n.kind === 'input' ? 'encoder' : 'decoder'));
}

/** 49 → "49×", 24.5 → "24.5×", 0.4999 → "0.5×": whole ratios stay whole. */
export function formatRatio(r: number): string {
  if (!Number.isFinite(r)) return '–';
  const rounded = Math.abs(r - Math.round(r)) < 0.05 ? String(Math.round(r)) : r >= 10 ? r.toFixed(1) : String(Number(r.toPrecision(2)));
  return `${rounded}×`;
}

/** The legend's bottleneck entry: "Bottleneck (N × 16, 49× compression)". */
export function bottleneckLegend(s: Pick<LayerSplit, 'bottleneckShape' | 'compressionRatio'>): string {
  const what = s.compressionRatio > 1 ? `${formatRatio(s.compressionRatio)} compression` : `${formatRatio(s.compressionRatio)} — no compression`;
  return `${AE_PART_STYLE.bottleneck.label} (${s.bottleneckShape}, ${what})`;
}

/**
 * Worth asking the host for a split: a zoo autoencoder, a bottleneck the user already picked, or a
 * model that maps one image to an output of the image's shape (a reconstruction). The host's
 * answer decides; a model this lets through that is no autoencoder just shows no split.
 */
export function mayBeAutoencoder(summary: ModelSummary, zooEntry: Pick<ZooEntry, 'task'> | undefined, picked: boolean): boolean {
  if (picked || zooEntry?.task === 'autoencoder') return true;
  if (zooEntry) return false;
  if (summary.inputs.length !== 1 || summary.outputs.length !== 1) return false;
  const a = summary.inputs[0]!.shape, b = summary.outputs[0]!.shape;
  if (!a || !b || a.length !== 4 || b.length !== 4) return false;
  return a.slice(1).every((d, i) => typeof d === 'number' && d === b[i + 1]);
}
