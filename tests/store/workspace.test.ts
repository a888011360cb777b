import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { Workspace } from '../../core/store/workspace.ts';
import { StoreError } from '../../core/store/errors.ts';
import { SCHEMA_VERSION, MIGRATIONS } from '../../core/store/schema.ts';
import { cohenKappa } from '../../core/store/kappa.ts';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'receptive-ws-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

function seed(file: string, n = 5): Workspace {
  const ws = Workspace.open(file, { create: true });
  ws.addDataset({ name: 'cases', kind: 'folder', path: join(dir, 'imgs') }, Array.from({ length: n }, (_, i) => ({ key: `c${i}`, path: join(dir, 'imgs', `c${i}.png`), label: i % 2 ? 'fracture' : 'normal' })));
  return ws;
}

describe('workspace', () => {
  it('is a WAL-mode SQLite file at the current schema, and reopens', () => {
    const f = join(dir, 'a.rcpt');
    seed(f).close();
    const db = new Database(f, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
    const ws = Workspace.open(f);
    expect(ws.listCases()).toHaveLength(5);
    expect(ws.integrityCheck()).toEqual(['ok']);
    ws.close();
  });

  it('stores maps once by content hash and returns them bit-exact', () => {
    const ws = seed(join(dir, 'blobs.rcpt'));
    const cases = ws.listCases();
    const map = { dtype: 'float32' as const, dims: [1, 7, 7], data: Float32Array.from({ length: 49 }, (_, i) => Math.sin(i)) };
    const run1 = ws.startRun({ method: 'gradcam', settings: { layer: 'layer4' }, provider: 'cpu' });
    const run2 = ws.startRun({ method: 'gradcam', settings: { layer: 'layer4' }, provider: 'cpu' });
    ws.putResult({ runId: run1, caseId: cases[0]!.id, map, score: 0.9 });
    ws.putResult({ runId: run2, caseId: cases[0]!.id, map, score: 0.9 });
    const res = ws.resultsFor(cases[0]!.id);
    expect(res).toHaveLength(2);
    expect(res[0]!.mapHash).toBe(res[1]!.mapHash);
    const back = ws.getBlob(res[0]!.mapHash!)!;
    expect(back.dims).toEqual([1, 7, 7]);
    expect(Array.from(back.data)).toEqual(Array.from(map.data));
    ws.close();
  });

  it('verdicts: latest per reviewer, history kept, filters and progress', () => {
    const ws = seed(join(dir, 'v.rcpt'), 4);
    const [c0, c1, c2] = ws.listCases();
    ws.giveVerdict({ caseId: c0!.id, reviewer: 'ana', verdict: 'unsure' });
    ws.giveVerdict({ caseId: c0!.id, reviewer: 'ana', verdict: 'on-target', note: 'looks at the fracture line' });
    ws.giveVerdict({ caseId: c1!.id, reviewer: 'ana', verdict: 'artifact', note: 'text marker' });
    ws.giveVerdict({ caseId: c2!.id, reviewer: 'ben', verdict: 'off-target' });
    const ana = ws.currentVerdicts('ana');
    expect(ana.map((v) => [v.caseId, v.verdict])).toEqual([[c0!.id, 'on-target'], [c1!.id, 'artifact']]);
    expect(ws.verdictHistory(c0!.id).map((v) => v.verdict)).toEqual(['unsure', 'on-target']);
    expect(ws.progress('ana')).toEqual({ reviewed: 2, total: 4 });
    expect(ws.listCases({ verdict: 'artifact', reviewer: 'ana' }).map((c) => c.id)).toEqual([c1!.id]);
    expect(ws.listCases({ verdict: null, reviewer: 'ana' })).toHaveLength(2);
    expect(ws.listCases({ label: 'fracture' })).toHaveLength(2);
    expect(() => ws.giveVerdict({ caseId: c0!.id, reviewer: ' ', verdict: 'x' })).toThrow(/reviewer/);
    ws.close();
  });

  it('a moved workspace folder still finds its files; a missing model is reported, not fatal', () => {
    const proj = join(dir, 'proj');
    mkdirSync(join(proj, 'models'), { recursive: true });
    writeFileSync(join(proj, 'models', 'm.onnx'), 'x');
    const ws = Workspace.open(join(proj, 'w.rcpt'), { create: true });
    ws.addModel({ name: 'm', path: join(proj, 'models', 'm.onnx'), sha256: 'ab', bytes: 1 });
    ws.addModel({ name: 'gone', path: join(dir, 'elsewhere', 'gone.onnx'), sha256: 'cd', bytes: 1 });
    ws.close();
    const moved = join(dir, 'proj-moved');
    renameSync(proj, moved);
    const ws2 = Workspace.open(join(moved, 'w.rcpt'));
    const models = ws2.listModels();
    expect(models[0]!.missing).toBe(false);
    expect(models[0]!.resolvedPath).toBe(join(moved, 'models', 'm.onnx'));
    expect(models[1]!.missing).toBe(true);
    ws2.close();
  });

  it('migrates from every earlier schema version, keeping data', () => {
    for (let v = 1; v < SCHEMA_VERSION; v++) {
      const f = join(dir, `old-${v}.rcpt`);
      const old = Workspace.open(f, { create: true, migrateTo: v });
      expect(old.schemaVersion).toBe(v);
      old.addModel({ name: 'm', path: join(dir, 'm.onnx'), sha256: 'ff', bytes: 3 });
      old.close();
      const ws = Workspace.open(f);
      expect(ws.schemaVersion).toBe(SCHEMA_VERSION);
      expect(ws.listModels().map((m) => m.sha256)).toEqual(['ff']);
      expect(ws.integrityCheck()).toEqual(['ok']);
      ws.close();
    }
    expect(MIGRATIONS.map((m) => m.version)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
  });

  it('refuses a workspace written by a newer version without changing it', () => {
    const f = join(dir, 'newer.rcpt');
    seed(f).close();
    const db = new Database(f);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    let err: unknown;
    try { Workspace.open(f); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('newer-version');
    expect((err as Error).message).toMatch(/newer Receptive/);
    const db2 = new Database(f, { readonly: true });
    expect(db2.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 1);
    db2.close();
  });

  it('other files: not an SQLite database, foreign SQLite database, missing folder', () => {
    const junk = join(dir, 'junk.rcpt');
    writeFileSync(junk, 'definitely not sqlite, just text that is long enough to be read as a header....');
    expect(() => Workspace.open(junk)).toThrow(/not a Receptive workspace/);
    const foreign = join(dir, 'foreign.db');
    const db = new Database(foreign); db.exec('CREATE TABLE t (x)'); db.close();
    expect(() => Workspace.open(foreign)).toThrow(/not a Receptive workspace/);
    expect(() => Workspace.open(join(dir, 'no', 'such', 'dir', 'w.rcpt'), { create: true })).toThrow(StoreError);
  });

  it('a full disk gives a clear error and keeps what was committed', () => {
    const f = join(dir, 'full.rcpt');
    const ws = seed(f, 2);
    const c = ws.listCases()[0]!;
    ws.giveVerdict({ caseId: c.id, reviewer: 'ana', verdict: 'on-target' });
    ws.limitPages(ws.sizeOnDisk() / 4096 + 2);
    let err: unknown;
    try {
      for (let i = 0; i < 10_000; i++) ws.putBlob({ dtype: 'float32', dims: [4096], data: new Float32Array(4096).fill(i) });
    } catch (e) { err = e; }
    expect((err as StoreError).code).toBe('disk-full');
    expect((err as Error).message).toMatch(/disk .* is full/);
    ws.close();
    const again = Workspace.open(f);
    expect(again.currentVerdicts('ana')).toHaveLength(1);
    expect(again.integrityCheck()).toEqual(['ok']);
    again.close();
  });

  it('a read-only location gives a clear error', () => {
    // /proc is read-only even for root (tests run as root, so chmod would not stop writes).
    let err: unknown;
    try { Workspace.open('/proc/receptive-test.rcpt', { create: true }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(StoreError);
    expect(['read-only', 'cannot-open']).toContain((err as StoreError).code);
  });
});

describe('nothing lost: SIGKILL while writing verdicts', () => {
  it('every acknowledged verdict survives, and the file passes the integrity check', async () => {
    const f = join(dir, 'kill.rcpt');
    seed(f, 50).close();
    let next = 0;
    let seedRng = 12345;
    const rnd = () => ((seedRng = (seedRng * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const ROUNDS = 12;
    const acked = new Set<number>();
    for (let round = 0; round < ROUNDS; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'verdict-writer.ts'), f, String(next)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let buf = '';
      const ready = new Promise<void>((res) => {
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl); buf = buf.slice(nl + 1);
            if (line === 'ready') res();
            const m = /^ack (\d+)$/.exec(line);
            if (m) acked.add(Number(m[1]));
          }
        });
      });
      await ready;
      await new Promise((r) => setTimeout(r, 5 + rnd() * 120)); // kill at a random moment
      const exited = new Promise((r) => child.on('exit', r));
      child.kill('SIGKILL');
      await exited;
      const ws = Workspace.open(f);
      expect(ws.integrityCheck()).toEqual(['ok']);
      const stored = new Set(allNotes(ws));
      for (const n of acked) expect(stored.has(n), `verdict ${n} was acknowledged before the kill`).toBe(true);
      next = Math.max(next, ...stored, -1) + 1;
      ws.close();
    }
    expect(acked.size).toBeGreaterThan(ROUNDS); // the writer did get verdicts out each round
  }, 120_000);
});

function allNotes(ws: Workspace): number[] {
  const out: number[] = [];
  for (const c of ws.listCases()) for (const v of ws.verdictHistory(c.id)) if (v.reviewer === 'kill-test') out.push(Number(v.note.slice(5)));
  return out;
}

describe("Cohen's kappa", () => {
  it('matches hand-computed values', () => {
    // 2×2 table: yes/yes 20, yes/no 5, no/yes 10, no/no 15 → po 0.7, pe 0.5·0.6 + 0.5·0.4 = 0.5, κ 0.4
    const a = [...Array(20).fill('y'), ...Array(5).fill('y'), ...Array(10).fill('n'), ...Array(15).fill('n')];
    const b = [...Array(20).fill('y'), ...Array(5).fill('n'), ...Array(10).fill('y'), ...Array(15).fill('n')];
    const k = cohenKappa(a, b);
    expect(k.observed).toBeCloseTo(0.7);
    expect(k.expected).toBeCloseTo(0.5);
    expect(k.kappa).toBeCloseTo(0.4);
    expect(cohenKappa(['a', 'b', 'c'], ['a', 'b', 'c']).kappa).toBe(1);
    expect(() => cohenKappa(['a'], [])).toThrow(/paired/);
  });
});
