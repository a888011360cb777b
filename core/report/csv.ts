// CSV export of review verdicts: RFC 4180 (CRLF line ends, fields with quotes, commas or line
// breaks quoted, quotes doubled) and safe to open in a spreadsheet: a text cell starting with
// = + - @ (or a tab/CR, which some spreadsheets skip before parsing) gets a leading apostrophe so
// it is shown as text, never evaluated as a formula (OWASP "CSV injection").
import type { ReportData } from './collect.ts';

export const CSV_HEADER = ['case', 'label', 'prediction', 'score', 'verdict', 'note', 'reviewer', 'time', 'methods'] as const;

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: text is neutralised against formula injection, then quoted when needed. Numbers are written as numbers. */
export function csvCell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  let s: string;
  if (typeof v === 'number') s = Number.isFinite(v) ? String(v) : '';
  else s = FORMULA_START.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(cells: readonly (string | number | null | undefined)[]): string {
  return cells.map(csvCell).join(',');
}

/** One row per case × reviewer (the reviewer's current verdict); cases nobody judged get one row with empty verdict. */
export function reportCsv(data: ReportData): string {
  const lines = [csvRow(CSV_HEADER)];
  for (const c of data.cases) {
    const base = [c.key, c.label, c.prediction, c.score] as const;
    if (c.verdicts.length === 0) lines.push(csvRow([...base, null, null, null, null, c.methods.join(';')]));
    for (const v of c.verdicts) lines.push(csvRow([...base, v.verdict, v.note, v.reviewer, v.givenAt, (v.methods.length ? v.methods : c.methods).join(';')]));
  }
  return lines.join('\r\n') + '\r\n';
}
