import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../core/cli/main.ts';
import { Workspace } from '../../core/store/workspace.ts';
import { parseCsv } from '../../core/report/import.ts';
import { makeImages } from './fixture.ts';

let dir: string, images: string;
beforeAll(async () => { dir = mkdtempSync(join(tmpdir(), 'receptive-report-cli-')); images = await makeImages(dir); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(argv, { stdout: { write: (s: string) => { out += s; } }, stderr: { write: (s: string) => { err += s; } }, env: {} });
  return { code, out, err };
}

describe('receptive review / report', () => {
  it('imports a folder into a new workspace, shows progress, and exports CSV and HTML', async () => {
    const ws = join(dir, 'cli.rcpt');
    const imp = await cli('review', ws, '--import', images, '--json');
    expect(imp.code).toBe(0);
    expect(JSON.parse(imp.out)).toMatchObject({ imported: 6, kind: 'folder', labels: { fracture: 3, normal: 3 } });
    const w = Workspace.open(ws);
    w.giveVerdict({ caseId: w.listCases()[0]!.id, reviewer: 'ana', verdict: 'on-target', note: '=cmd|calc' });
    w.close();
    const prog = await cli('review', ws);
    expect(prog.out).toContain('ana: 1 of 6 reviewed');
    const csv = join(dir, 'out.csv');
    const r = await cli('report', ws, '--format', 'csv', '--out', csv);
    expect(r.code).toBe(0);
    const rows = parseCsv(readFileSync(csv, 'utf8'));
    expect(rows).toHaveLength(7);
    expect(rows.find((x) => x[6] === 'ana')![5]).toBe("'=cmd|calc");
    const html = join(dir, 'out.html');
    expect((await cli('report', ws, '-o', html)).code).toBe(0);
    expect(readFileSync(html, 'utf8')).toContain('Content-Security-Policy');
  });

  it('usage errors: missing --out, unknown format, missing workspace', async () => {
    expect((await cli('report', join(dir, 'cli.rcpt'))).code).toBe(2);
    const bad = await cli('report', join(dir, 'cli.rcpt'), '--out', join(dir, 'x.docx'));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--format must be one of csv, html, pdf/);
    const missing = await cli('report', join(dir, 'nope.rcpt'), '--out', join(dir, 'x.csv'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/does not exist/);
  });
});
