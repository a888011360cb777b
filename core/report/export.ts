// One entry point for "export the review": CSV, HTML or PDF written atomically (temp file in the
// same folder, then rename), so a crash never leaves half a report under the chosen name.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { CaseFilter, Workspace } from '../store/workspace.ts';
import { collectReport } from './collect.ts';
import { reportCsv } from './csv.ts';
import { htmlReport, type HtmlReportOptions } from './html.ts';
import { chromiumPrinter, type PdfPrinter } from './pdf.ts';

export type ReportFormat = 'csv' | 'html' | 'pdf';

export interface ExportOptions extends HtmlReportOptions { filter?: CaseFilter; printer?: PdfPrinter }

export async function renderReport(ws: Workspace, format: ReportFormat, opts: ExportOptions = {}): Promise<Uint8Array> {
  const data = collectReport(ws, opts.filter ? { filter: opts.filter } : {});
  if (format === 'csv') return new TextEncoder().encode(reportCsv(data));
  const html = await htmlReport(ws, data, opts);
  if (format === 'html') return new TextEncoder().encode(html);
  return (opts.printer ?? chromiumPrinter())(html);
}

export function writeAtomic(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export async function exportReport(ws: Workspace, format: ReportFormat, path: string, opts: ExportOptions = {}): Promise<{ path: string; bytes: number; cases: number }> {
  const bytes = await renderReport(ws, format, opts);
  writeAtomic(path, bytes);
  return { path, bytes: bytes.byteLength, cases: ws.listCases(opts.filter).length };
}
