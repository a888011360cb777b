// The batch run's outputs besides the maps: a CSV of scores and a self-contained HTML report
// (images embedded as data URIs, no external files or scripts).

export interface ReportMethod {
  method: string;
  ms: number;
  overlay?: Uint8Array;
  deletionAuc?: number;
  insertionAuc?: number;
  roadMorfAuc?: number;
  roadLerfAuc?: number;
  extra?: Record<string, number>;
}

export interface ReportRow {
  input: string;
  error?: string;
  predicted?: number;
  predictedLabel?: string;
  probability?: number;
  target?: number;
  targetProbability?: number;
  note?: string;
  original?: Uint8Array;
  methods: ReportMethod[];
}

const csvCell = (v: string | number | undefined): string => {
  if (v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(+v.toPrecision(6)) : '') : v;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function scoresCsv(rows: readonly ReportRow[], methods: readonly string[], faithfulness: boolean): string {
  const head = ['input', 'status', 'predicted_class', 'predicted_label', 'probability', 'target_class', 'target_probability'];
  for (const m of methods) {
    head.push(`${m}_ms`);
    if (faithfulness) head.push(`${m}_deletion_auc`, `${m}_insertion_auc`, `${m}_road_morf_auc`, `${m}_road_lerf_auc`);
  }
  const lines = [head.join(',')];
  for (const r of rows) {
    const cells: (string | number | undefined)[] = [r.input, r.error ? `error: ${r.error}` : 'ok', r.predicted, r.predictedLabel, r.probability, r.target, r.targetProbability];
    for (const m of methods) {
      const x = r.methods.find((y) => y.method === m);
      cells.push(x?.ms);
      if (faithfulness) cells.push(x?.deletionAuc, x?.insertionAuc, x?.roadMorfAuc, x?.roadLerfAuc);
    }
    lines.push(cells.map(csvCell).join(','));
  }
  return lines.join('\n') + '\n';
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const dataUri = (png: Uint8Array) => `data:image/png;base64,${Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString('base64')}`;
const fmt = (v: number | undefined, d = 3) => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(d));

export function htmlReport(title: string, info: Record<string, string>, rows: readonly ReportRow[], methods: readonly string[]): string {
  const head = `<tr><th>input</th><th>prediction</th>${methods.map((m) => `<th>${esc(m)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => {
    if (r.error) return `<tr class="err"><td>${esc(r.input)}</td><td colspan="${methods.length + 1}">${esc(r.error)}</td></tr>`;
    const orig = r.original ? `<img src="${dataUri(r.original)}" alt="">` : '';
    const cells = methods.map((m) => {
      const x = r.methods.find((y) => y.method === m);
      if (!x) return '<td>–</td>';
      const f = x.deletionAuc !== undefined ? `<br>del ${fmt(x.deletionAuc)} · ins ${fmt(x.insertionAuc)}<br>ROAD MoRF ${fmt(x.roadMorfAuc)} · LeRF ${fmt(x.roadLerfAuc)}` : '';
      const extra = x.extra ? Object.entries(x.extra).map(([k, v]) => `<br>${esc(k)} ${fmt(v, 4)}`).join('') : '';
      return `<td>${x.overlay ? `<img src="${dataUri(x.overlay)}" alt="${esc(m)}">` : ''}<div class="s">${fmt(x.ms, 0)} ms${f}${extra}</div></td>`;
    }).join('');
    const pred = `${esc(r.predictedLabel ?? String(r.predicted))} (${fmt((r.probability ?? NaN) * 100, 1)}%)${r.target !== r.predicted ? `<br>target ${r.target} (${fmt((r.targetProbability ?? NaN) * 100, 1)}%)` : ''}${r.note ? `<br><span class="s">${esc(r.note)}</span>` : ''}`;
    return `<tr><td>${orig}<div class="s">${esc(r.input)}</div></td><td>${pred}</td>${cells}</tr>`;
  }).join('\n');
  const meta = Object.entries(info).map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>${esc(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px;vertical-align:top;text-align:center}
img{max-width:224px;display:block;margin:auto}.s{font-size:12px;color:#555}.err td{background:#fee}dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px}dt{font-weight:600}</style>
</head><body><h1>${esc(title)}</h1><dl>${meta}</dl>
<table>${head}
${body}
</table></body></html>
`;
}
