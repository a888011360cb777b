// Importing review cases into a workspace: a folder of images/DICOM (files in class subfolders
// take the subfolder's name as label), or a CSV with a `path` column (relative to the CSV's
// folder) and optional `label`, `prediction`, `score`, `key` columns. Symlinks are not followed
// and hidden files are skipped; `allow` lets a host confine the paths (browser host: its folder).
import { lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Workspace } from '../store/workspace.ts';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.webp', '.bmp', '.dcm', '.dicom'] as const;
export const MAX_IMPORT_CASES = 200_000;
const MAX_CSV_BYTES = 64 * 1024 ** 2;
const MAX_DEPTH = 8;

export class ImportError extends Error {
  readonly code = 'invalid-request';
  constructor(message: string) { super(message); this.name = 'ImportError'; }
}

export interface ImportCase { key: string; path: string; label?: string; prediction?: string; score?: number }
export interface ImportResult { datasetId: number; kind: 'folder' | 'csv'; imported: number; skipped: number; labels: Record<string, number> }

/** Files of a folder tree: label = first-level subfolder (none for files at the top). */
export function scanFolder(dir: string, allow: (p: string) => boolean = () => true): { cases: ImportCase[]; skipped: number } {
  const root = resolve(dir);
  const cases: ImportCase[] = [];
  let skipped = 0;
  const walk = (d: string, depth: number): void => {
    if (depth > MAX_DEPTH) { skipped++; return; }
    let names: string[];
    try { names = readdirSync(d).sort(); } catch (e) { throw new ImportError(`cannot read the folder ${d}: ${(e as Error).message}`); }
    for (const n of names) {
      if (n.startsWith('.')) continue;
      const p = join(d, n);
      const st = lstatSync(p);
      if (st.isSymbolicLink()) { skipped++; continue; }
      if (st.isDirectory()) { walk(p, depth + 1); continue; }
      if (!st.isFile() || !(IMAGE_EXTENSIONS as readonly string[]).includes(extname(n).toLowerCase()) || !allow(p)) { skipped++; continue; }
      if (cases.length >= MAX_IMPORT_CASES) throw new ImportError(`the folder holds more than ${MAX_IMPORT_CASES} images; import it in parts`);
      const rel = relative(root, p).split(sep);
      cases.push({ key: rel.join('/'), path: p, ...(rel.length > 1 ? { label: rel[0]! } : {}) });
    }
  };
  walk(root, 0);
  return { cases, skipped };
}

/** RFC 4180 records (quoted fields, doubled quotes, CRLF or LF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], field = '', quoted = false, i = 0;
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  while (i < s.length) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"') { if (s[i + 1] === '"') { field += '"'; i += 2; continue; } quoted = false; i++; continue; }
      field += ch; i++; continue;
    }
    if (ch === '"' && field === '') { quoted = true; i++; continue; }
    if (ch === ',') { row.push(field); field = ''; i++; continue; }
    if (ch === '\r' || ch === '\n') {
      row.push(field); field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
      i += ch === '\r' && s[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    field += ch; i++;
  }
  if (quoted) throw new ImportError('the CSV ends inside a quoted field; the file is truncated or a quote is not closed');
  row.push(field);
  if (row.length > 1 || row[0] !== '') rows.push(row);
  return rows;
}

export function readCasesCsv(file: string, allow: (p: string) => boolean = () => true): { cases: ImportCase[]; skipped: number } {
  const size = statSync(file).size;
  if (size > MAX_CSV_BYTES) throw new ImportError(`${basename(file)} is larger than ${MAX_CSV_BYTES / 1024 ** 2} MB`);
  const rows = parseCsv(readFileSync(file, 'utf8'));
  const head = (rows.shift() ?? []).map((h) => h.trim().toLowerCase());
  const col = (n: string) => head.indexOf(n);
  if (col('path') < 0) throw new ImportError(`${basename(file)} needs a "path" column (found: ${head.join(', ') || 'no header'}); optional columns: key, label, prediction, score`);
  if (rows.length > MAX_IMPORT_CASES) throw new ImportError(`${basename(file)} lists more than ${MAX_IMPORT_CASES} cases; import it in parts`);
  const base = dirname(resolve(file));
  const cases: ImportCase[] = [];
  const keys = new Set<string>();
  let skipped = 0;
  rows.forEach((r, i) => {
    const get = (n: string) => { const c = col(n); const v = c >= 0 ? (r[c] ?? '').trim() : ''; return v === '' ? undefined : v; };
    const rawPath = get('path');
    if (!rawPath) { skipped++; return; }
    const p = isAbsolute(rawPath) ? resolve(rawPath) : resolve(base, rawPath);
    if (!allow(p)) { skipped++; return; }
    const key = get('key') ?? rawPath;
    if (keys.has(key)) throw new ImportError(`${basename(file)} line ${i + 2}: case "${key}" appears twice; keys must be unique`);
    keys.add(key);
    const scoreText = get('score');
    const score = scoreText === undefined ? undefined : Number(scoreText);
    if (score !== undefined && !Number.isFinite(score)) throw new ImportError(`${basename(file)} line ${i + 2}: score "${scoreText}" is not a number`);
    const label = get('label'), prediction = get('prediction');
    for (const [n, v] of [['key', key], ['label', label], ['prediction', prediction]] as const) {
      if (v !== undefined && v.length > 1000) throw new ImportError(`${basename(file)} line ${i + 2}: ${n} is longer than 1000 characters`);
    }
    cases.push({ key, path: p, ...(label ? { label } : {}), ...(prediction ? { prediction } : {}), ...(score !== undefined ? { score } : {}) });
  });
  return { cases, skipped };
}

/** Import a folder or a CSV file as one data set of cases. */
export function importCases(ws: Workspace, source: string, opts: { name?: string; allow?: (p: string) => boolean } = {}): ImportResult {
  const path = resolve(source);
  let st;
  try { st = statSync(path); } catch { throw new ImportError(`${path} does not exist; choose a folder of images or a CSV file`); }
  const kind = st.isDirectory() ? 'folder' : 'csv';
  if (kind === 'csv' && extname(path).toLowerCase() !== '.csv') throw new ImportError(`${basename(path)} is neither a folder nor a .csv file`);
  const { cases, skipped } = kind === 'folder' ? scanFolder(path, opts.allow) : readCasesCsv(path, opts.allow);
  if (cases.length === 0) throw new ImportError(`no images found in ${path} (looked for ${IMAGE_EXTENSIONS.join(', ')}${kind === 'folder' ? ' in the folder and its class subfolders' : ''})`);
  const datasetId = ws.addDataset({ name: (opts.name ?? basename(path)).slice(0, 256), kind, path }, cases);
  const labels: Record<string, number> = {};
  for (const c of cases) { const l = c.label ?? '(none)'; labels[l] = (labels[l] ?? 0) + 1; }
  return { datasetId, kind, imported: cases.length, skipped, labels };
}
