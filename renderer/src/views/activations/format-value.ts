// Activation values for display: short, signed, never "-0".
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1000 || a < 0.001) return v.toExponential(2);
  return v.toPrecision(3).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

export function formatPercent(f: number): string {
  if (f > 0 && f < 0.0001) return '<0.01%';
  return `${(100 * f).toFixed(f > 0 && f < 0.01 ? 2 : 1)}%`;
}
