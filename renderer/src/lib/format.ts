// Display formatting shared by the views: shapes, counts, receptive fields.
import type { Shape } from '../../../core/analysis/types.ts';

export function formatShape(shape: Shape | null | undefined): string {
  if (!shape) return '?';
  if (shape.length === 0) return 'scalar';
  return shape.join(' × ');
}

/** Shape without the leading batch dimension, for compact node labels. */
export function compactShape(shape: Shape | null | undefined): string {
  if (!shape) return '?';
  if (shape.length <= 1) return formatShape(shape);
  return shape.slice(1).join('×');
}

/** 11689512 → "11.7 M"; keeps three significant digits. */
export function formatCount(n: number): string {
  const a = Math.abs(n);
  const units: [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [v, u] of units) if (a >= v) return `${(n / v).toPrecision(3).replace(/\.?0+$/, '')} ${u}`;
  return String(n);
}

export function formatExact(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatPair(p: [number, number] | undefined): string {
  if (!p) return '—';
  return p[0] === p[1] ? String(p[0]) : `${p[0]} × ${p[1]}`;
}

export function formatAttribute(v: string | number | number[]): string {
  return Array.isArray(v) ? `[${v.join(', ')}]` : String(v);
}
