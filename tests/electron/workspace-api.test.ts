// The review-workspace API through dispatch (validation included), against real workspace files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { dispatch } from '../../electron/api/dispatch.ts';
import { createService } from '../../electron/api/service.ts';
import type { ApiResponses } from '../../electron/api/contract.ts';
import { Workspace } from '../../core/store/workspace.ts';
import { RecentWorkspaces, MAX_RECENT } from '../../core/store/recent.ts';
import { cohenKappa } from '../../core/store/kappa.ts';
import { ANA, BEN, HOSTILE_NOTE, makeImages, populate } from '../report/fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'receptive-wsapi-'));
let chosen: string | null = null;
const recentFile = join(dir, 'config', 'receptive', 'recent-workspaces.json');
const service = createService({ host: 'electron', review: { choosePath: async () => chosen, recent: new RecentWorkspaces(recentFile) } });
const browserRoot = join(dir, 'browser-root');
mkdirSync(browserRoot);
const browser = createService({ host: 'browser', review: { workspacesDir: browserRoot, recent: new RecentWorkspaces(join(dir, 'browser-recent.json')) } });
const unconfigured = createService({ host: 'browser', review: { recent: new RecentWorkspaces(join(dir, 'none.json')) } });
afterAll(async () => {
  await Promise.all([service.close(), browser.close(), unconfigured.close()]);
  rmSync(dir, { recursive: true, force: true });
});

async function call<M extends keyof ApiResponses>(svc: typeof service, method: M, params: unknown): Promise<ApiResponses[M]> {
  const r = await dispatch(svc, method, params);
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  return r.result as ApiResponses[M];
}
async function failure(svc: typeof service, method: string, params: unknown): Promise<{ code: string; message: string }> {
  const r = await dispatch(svc, method, params);
  if (r.ok) throw new Error(`${method} unexpectedly succeeded`);
  return r.error;
}
async function choose(path: string, purpose: string): Promise<string> {
  chosen = path;
  const r = await call(service, 'chooseReviewPath', { purpose });
  chosen = null;
  return r!.path;
}

let images: string, wsPath: string, wsId: string;
beforeAll(async () => {
  images = await makeImages(dir);
  wsPath = join(dir, 'review.rcpt');
  // A workspace with a run, maps and both reviewers' verdicts, made through core.
  const w = Workspace.open(wsPath, { create: true });
  const tmp = Workspace.open(join(dir, 'scan.rcpt'), { create: true });
  const { importCases } = await import('../../core/report/import.ts');
  const ds = importCases(tmp, images).datasetId;
  populate(w, images, tmp.listCases({ datasetId: ds }).map((c) => ({ key: c.key, path: c.resolvedPath!, label: c.label! })));
  tmp.close();
  w.close();
});

describe('opening workspaces (Electron: dialog grants and the recent list)', () => {
  it('refuses a path that was not chosen, opens a chosen one and remembers it', async () => {
    expect((await failure(service, 'openWorkspace', { path: wsPath })).code).toBe('forbidden');
    const granted = await choose(wsPath, 'open-workspace');
    const info = await call(service, 'openWorkspace', { path: granted });
    wsId = info.workspaceId;
    expect(info.cases).toBe(6);
    expect(info.reviewers).toEqual(['ana', 'ben']);
    expect(info.models[0]!.sha256).toBe('a'.repeat(64));
    expect((await call(service, 'recentWorkspaces', {}))[0]!.path).toBe(wsPath);
    // A recent workspace opens again without the dialog (after a close).
    await call(service, 'closeWorkspace', { workspaceId: wsId });
    wsId = (await call(service, 'openWorkspace', { path: wsPath })).workspaceId;
  });

  it('creates a new workspace at a chosen path and imports a folder with class subfolders', async () => {
    const p = await choose(join(dir, 'new.rcpt'), 'create-workspace');
    const info = await call(service, 'createWorkspace', { path: p });
    expect(info.cases).toBe(0);
    expect((await failure(service, 'importCases', { workspaceId: info.workspaceId, path: images })).code).toBe('forbidden');
    const folder = await choose(images, 'import-folder');
    const r = await call(service, 'importCases', { workspaceId: info.workspaceId, path: folder });
    expect(r).toMatchObject({ kind: 'folder', imported: 6, labels: { fracture: 3, normal: 3 } });
    expect((await call(service, 'listCases', { workspaceId: info.workspaceId, filter: { label: 'fracture' } })).total).toBe(3);
    expect((await failure(service, 'createWorkspace', { path: p })).message).toMatch(/already exists/);
    await call(service, 'closeWorkspace', { workspaceId: info.workspaceId });
  });

  it('a damaged file is a clear invalid-request, not an internal error', async () => {
    const junk = join(dir, 'junk.rcpt');
    writeFileSync(junk, 'x'.repeat(8192));
    const e = await failure(service, 'openWorkspace', { path: await choose(junk, 'open-workspace') });
    expect(e.code).toBe('invalid-request');
    expect(e.message).toMatch(/not a Receptive workspace/);
  });
});

describe('cases, verdicts and agreement', () => {
  it('filters by label, prediction, score range, verdict and reviewer', async () => {
    const list = (filter: unknown) => call(service, 'listCases', { workspaceId: wsId, filter }).then((r) => r.cases.map((c) => c.key));
    const all = await call(service, 'listCases', { workspaceId: wsId });
    expect(all.total).toBe(6);
    const keys = all.cases.map((c) => c.key);
    expect(await list({ label: 'normal' })).toEqual(keys.filter((k) => k.startsWith('normal/')));
    expect(keys.slice(0, 3).every((k) => k.startsWith('fracture/'))).toBe(true); // folder scan order: sorted paths
    expect(await list({ prediction: 'normal' })).toEqual(keys.filter((_, i) => i % 3 === 0));
    expect(await list({ minScore: 0.15, maxScore: 0.35 })).toEqual(keys.slice(2, 4));
    expect(await list({ verdict: 'artifact', reviewer: 'ana' })).toEqual([keys[3]]);
    expect(await list({ verdict: 'off-target', reviewer: 'ben' })).toEqual(keys.filter((_, i) => BEN[i] === 'off-target'));
    expect(await list({ verdict: null, reviewer: 'carl' })).toEqual(keys);
    const page = await call(service, 'listCases', { workspaceId: wsId, offset: 4, limit: 10, filter: { reviewer: 'ana' } });
    expect(page.total).toBe(6);
    expect(page.cases.map((c) => c.verdicts)).toEqual([[{ reviewer: 'ana', verdict: ANA[4] }], [{ reviewer: 'ana', verdict: ANA[5] }]]);
    expect((await failure(service, 'listCases', { workspaceId: wsId, filter: { minScore: 1, maxScore: 0 } })).code).toBe('invalid-request');
  });

  it('getCase: the image as binary, the stored map bit-exact with its geometry, verdicts with notes', async () => {
    const id = (await call(service, 'listCases', { workspaceId: wsId })).cases[2]!.id;
    const c = await call(service, 'getCase', { workspaceId: wsId, caseId: id });
    expect(c.image).toMatchObject({ width: 32, height: 24, channels: 1, kind: 'image' });
    expect(c.image!.data).toBeInstanceOf(Uint8Array);
    // makeImages wrote pixel p = (p · (i + 3)) mod 256 for caseI.png.
    const i = Number(/case(\d)/.exec(c.case.key)![1]);
    expect(Array.from(c.image!.data.subarray(0, 5))).toEqual([0, 1, 2, 3, 4].map((p) => (p * (i + 3)) % 256));
    expect(c.maps).toHaveLength(1);
    const m = c.maps[0]!;
    expect([m.method, m.height, m.width, m.min, m.max]).toEqual(['gradcam', 7, 7, 0, 1]);
    expect(m.data).toBeInstanceOf(Float32Array);
    expect(Array.from(m.data).indexOf(1)).toBe((2 % 7) * 7 + 3);
    expect(m.geometry).toMatchObject({ original: { width: 32, height: 24 }, crop: { width: 32, height: 24 } });
    expect(c.verdicts.map((v) => [v.reviewer, v.verdict])).toEqual([['ana', ANA[2]], ['ben', BEN[2]]]);
    expect((await call(service, 'getCase', { workspaceId: wsId, caseId: id, methods: ['ig'] })).maps).toEqual([]);
    expect((await failure(service, 'getCase', { workspaceId: wsId, caseId: 999_999 })).code).toBe('not-found');
    const first = await call(service, 'getCase', { workspaceId: wsId, caseId: (await call(service, 'listCases', { workspaceId: wsId })).cases[0]!.id });
    expect(first.verdicts[0]!.note).toBe(HOSTILE_NOTE);
  });

  it('giveVerdict is committed when the call returns: another connection sees it at once', async () => {
    const id = (await call(service, 'listCases', { workspaceId: wsId })).cases[5]!.id;
    const r = await call(service, 'giveVerdict', { workspaceId: wsId, caseId: id, reviewer: 'carl', verdict: 'unsure', note: 'borderline', methods: ['gradcam'] });
    expect(r.committed).toBe(true);
    expect(r.progress).toEqual({ reviewed: 1, total: 6 });
    const db = new Database(wsPath, { readonly: true });
    const row = db.prepare('SELECT case_id, reviewer, verdict, note, methods FROM verdicts WHERE id = ?').get(r.verdictId);
    db.close();
    expect(row).toEqual({ case_id: id, reviewer: 'carl', verdict: 'unsure', note: 'borderline', methods: '["gradcam"]' });
    expect(await call(service, 'reviewProgress', { workspaceId: wsId, reviewer: 'carl' })).toEqual({ reviewed: 1, total: 6 });
  });

  it('validates every field', async () => {
    const id = (await call(service, 'listCases', { workspaceId: wsId })).cases[0]!.id;
    const base = { workspaceId: wsId, caseId: id, reviewer: 'ana', verdict: 'on-target' };
    for (const bad of [
      { ...base, reviewer: 'x'.repeat(201) }, { ...base, reviewer: '   ' }, { ...base, reviewer: 'a\u0000b' },
      { ...base, verdict: 'v'.repeat(101) }, { ...base, verdict: 'on\ntarget' }, { ...base, note: 'n'.repeat(10_001) },
      { ...base, caseId: -1 }, { ...base, caseId: 1.5 }, { ...base, extra: 1 }, { ...base, methods: Array(33).fill('m') },
      { ...base, workspaceId: '../x' },
    ]) expect((await failure(service, 'giveVerdict', bad)).code, JSON.stringify(bad).slice(0, 80)).toBe('invalid-request');
    expect((await failure(service, 'giveVerdict', { ...base, workspaceId: 'w_unknown' })).code).toBe('not-found');
    expect((await failure(service, 'openWorkspace', { path: 'x'.repeat(5000) })).code).toBe('invalid-request');
  });

  it('agreement equals cohenKappa over the cases both judged, with the confusion table', async () => {
    const a = await call(service, 'agreement', { workspaceId: wsId, a: 'ana', b: 'ben' });
    const k = cohenKappa(ANA, BEN);
    expect(a.n).toBe(6);
    expect(a.kappa).toBeCloseTo(k.kappa, 12);
    expect(a.observed).toBeCloseTo(4 / 6, 12);
    expect(a.labels).toEqual(['artifact', 'off-target', 'on-target']);
    // rows ana, columns ben: on/on ×2, off/on ×1, art/art ×1, on/off ×1, off/off ×1
    expect(a.table).toEqual([[1, 0, 0], [0, 1, 1], [0, 1, 2]]);
    // carl judged one case: agreement with ana over that single case
    const c = await call(service, 'agreement', { workspaceId: wsId, a: 'ana', b: 'carl' });
    expect(c.n).toBe(1);
    expect((await failure(service, 'agreement', { workspaceId: wsId, a: 'ana', b: 'nobody' })).message).toMatch(/not both judged/);
  });

  it('exportReport writes CSV and HTML to chosen paths only', async () => {
    expect((await failure(service, 'exportReport', { workspaceId: wsId, format: 'csv', path: join(dir, 'r.csv') })).code).toBe('forbidden');
    const p = await choose(join(dir, 'r.csv'), 'export-report');
    const r = await call(service, 'exportReport', { workspaceId: wsId, format: 'csv', path: p });
    expect(r).toMatchObject({ cases: 6, format: 'csv' });
    const lines = readFileSync(p, 'utf8').trim().split('\r\n');
    expect(lines.filter((l) => l.includes(',carl,'))).toHaveLength(1);
    const h = await choose(join(dir, 'r.html'), 'export-report');
    await call(service, 'exportReport', { workspaceId: wsId, format: 'html', path: h });
    expect(readFileSync(h, 'utf8')).toContain('borderline');
  });
});

describe('browser host: paths confined to the workspaces folder', () => {
  it('creates and opens inside the folder, refuses outside paths, symlink escapes and wrong extensions', async () => {
    const info = await call(browser, 'createWorkspace', { path: 'b.rcpt' });
    expect(info.path).toBe(join(browserRoot, 'b.rcpt'));
    expect((await failure(browser, 'createWorkspace', { path: 'b.txt' })).code).toBe('invalid-request');
    expect((await failure(browser, 'openWorkspace', { path: wsPath })).code).toBe('forbidden');
    expect((await failure(browser, 'openWorkspace', { path: '../review.rcpt' })).code).toBe('forbidden');
    symlinkSync(dir, join(browserRoot, 'escape'));
    expect((await failure(browser, 'openWorkspace', { path: 'escape/review.rcpt' })).code).toBe('forbidden');
    expect((await failure(browser, 'importCases', { workspaceId: info.workspaceId, path: images })).code).toBe('forbidden');
    // A CSV inside the folder may not pull in images from outside it.
    mkdirSync(join(browserRoot, 'imgs'));
    writeFileSync(join(browserRoot, 'imgs', 'a.png'), readFileSync(join(images, 'normal', 'case0.png')));
    writeFileSync(join(browserRoot, 'cases.csv'), `path,label,score\nimgs/a.png,normal,0.5\n${join(images, 'normal', 'case2.png')},normal,0.1\n`);
    const r = await call(browser, 'importCases', { workspaceId: info.workspaceId, path: 'cases.csv' });
    expect([r.kind, r.imported, r.skipped]).toEqual(['csv', 1, 1]);
    expect((await failure(browser, 'exportReport', { workspaceId: info.workspaceId, format: 'csv', path: 'r.html' })).code).toBe('invalid-request');
    expect((await call(browser, 'exportReport', { workspaceId: info.workspaceId, format: 'csv', path: 'r.csv' })).cases).toBe(1);
    expect(await call(browser, 'chooseReviewPath', { purpose: 'open-workspace' })).toBeNull();
  });

  it('without a configured folder every path is refused with how to configure it', async () => {
    const e = await failure(unconfigured, 'createWorkspace', { path: join(dir, 'u.rcpt') });
    expect(e.code).toBe('forbidden');
    expect(e.message).toMatch(/RECEPTIVE_WORKSPACES_DIR/);
  });
});

describe('recent workspaces list', () => {
  it('persists newest first, dedupes, caps, and survives a damaged file', () => {
    const f = join(dir, 'recent-test', 'r.json');
    const r = new RecentWorkspaces(f);
    expect(r.list()).toEqual([]);
    r.add('/a/one.rcpt', new Date('2026-01-01T00:00:00Z'));
    r.add('/a/two.rcpt', new Date('2026-01-02T00:00:00Z'));
    r.add('/a/one.rcpt', new Date('2026-01-03T00:00:00Z'));
    const again = new RecentWorkspaces(f);
    expect(again.list()).toEqual([{ path: '/a/one.rcpt', openedAt: '2026-01-03T00:00:00.000Z' }, { path: '/a/two.rcpt', openedAt: '2026-01-02T00:00:00.000Z' }]);
    expect(again.has('/a/two.rcpt')).toBe(true);
    for (let i = 0; i < MAX_RECENT + 5; i++) again.add(`/b/${i}.rcpt`);
    expect(new RecentWorkspaces(f).list()).toHaveLength(MAX_RECENT);
    writeFileSync(f, '{"workspaces": [{"path": 3}, "x", null, {"path": "/ok.rcpt", "openedAt": "t"}]}');
    expect(new RecentWorkspaces(f).list()).toEqual([{ path: '/ok.rcpt', openedAt: 't' }]);
    writeFileSync(f, 'not json');
    expect(new RecentWorkspaces(f).list()).toEqual([]);
    // The service's list (in its injected config file) holds what was opened through the API, newest first.
    expect((JSON.parse(readFileSync(recentFile, 'utf8')) as { workspaces: { path: string }[] }).workspaces.map((w) => w.path)).toEqual([join(dir, 'new.rcpt'), wsPath]);
  });
});
