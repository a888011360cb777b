// The embedding as CSV: id,label,prediction,x,y[,z] (+ selected when a selection is given). Labels
// and predictions are class names when known; empty when absent.

export interface CsvInput {
  coords: Float32Array;
  dims: 2 | 3;
  labels: ArrayLike<number> | null;
  predictions: ArrayLike<number> | null;
  classNames?: string[] | null;
  ids?: readonly string[];
  selected?: ReadonlySet<number>;
}

const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function embeddingCsv(c: CsvInput): string {
  const n = c.coords.length / c.dims;
  const name = (v: number | undefined) => (v === undefined || v < 0 ? '' : quote(c.classNames?.[v] ?? String(v)));
  const head = ['id', 'label', 'prediction', 'x', 'y', ...(c.dims === 3 ? ['z'] : []), ...(c.selected ? ['selected'] : [])];
  const lines = [head.join(',')];
  for (let i = 0; i < n; i++) {
    const row = [quote(c.ids?.[i] ?? String(i)), name(c.labels?.[i]), name(c.predictions?.[i])];
    for (let j = 0; j < c.dims; j++) row.push(String(c.coords[i * c.dims + j]));
    if (c.selected) row.push(c.selected.has(i) ? '1' : '0');
    lines.push(row.join(','));
  }
  return `${lines.join('\n')}\n`;
}
