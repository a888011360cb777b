// A workspace is one SQLite file (WAL mode, synchronous=FULL): models (path + content hash),
// data sets and their cases, runs and results (maps stored once, by hash), and review verdicts.
// Every write is its own transaction, so a verdict is durable when giveVerdict returns.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.ts';
import { StoreError, explainSqliteError } from './errors.ts';

export const APPLICATION_ID = 0x52435054; // 'RCPT': marks the file as a Receptive workspace

export interface StoredTensor { dtype: 'float32' | 'uint8' | 'int32'; dims: number[]; data: Float32Array | Uint8Array | Int32Array }
export interface ModelRow { id: number; name: string; sha256: string; bytes: number; absPath: string | null; relPath: string | null; resolvedPath: string | null; missing: boolean }
export interface CaseRow { id: number; datasetId: number; key: string; label: string | null; prediction: string | null; score: number | null; resolvedPath: string | null; missing: boolean }
export interface VerdictRow { id: number; caseId: number; reviewer: string; verdict: string; note: string; methods: string[]; givenAt: string }
export interface RunRow { id: number; modelId: number | null; datasetId: number | null; method: string; settings: unknown; provider: string; startedAt: string; finishedAt: string | null; timings: Record<string, number> | null }
export interface CaseFilter { datasetId?: number; label?: string; prediction?: string; minScore?: number; maxScore?: number; verdict?: string | null; reviewer?: string }

export const VERDICTS = ['on-target', 'off-target', 'artifact', 'unsure'] as const;
const MAX_TEXT = 10_000;

function now(): string { return new Date().toISOString(); }

/** JSON written by us; a damaged value reads as `fallback` instead of failing the whole listing. */
function parseJson<T>(text: unknown, fallback: T): T {
  if (typeof text !== 'string') return fallback;
  try { return JSON.parse(text) as T; } catch { return fallback; }
}

export class Workspace {
  private constructor(readonly file: string, private readonly db: Database.Database) {}

  /** Open (or with create, make) a workspace. Refuses files written by a newer schema. */
  static open(file: string, opts: { create?: boolean; migrateTo?: number } = {}): Workspace {
    const path = resolve(file);
    const exists = existsSync(path);
    if (!exists && !opts.create) throw new StoreError('cannot-open', `workspace ${path} does not exist`);
    if (!existsSync(dirname(path))) throw new StoreError('cannot-open', `cannot create ${path}: the folder ${dirname(path)} does not exist`);
    let db: Database.Database;
    try {
      db = new Database(path, { fileMustExist: !opts.create });
    } catch (e) { throw explainSqliteError(e, path); }
    try {
      const appId = db.pragma('application_id', { simple: true }) as number;
      const version = db.pragma('user_version', { simple: true }) as number;
      const tables = (db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as { n: number }).n;
      if (appId !== APPLICATION_ID && (version !== 0 || tables > 0)) {
        throw new StoreError('not-a-workspace', `${path} is an SQLite file but not a Receptive workspace`);
      }
      if (version > SCHEMA_VERSION) {
        throw new StoreError('newer-version', `${path} was written by a newer Receptive (workspace schema ${version}; this version reads up to ${SCHEMA_VERSION}). Update Receptive to open it; the file was not changed.`);
      }
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      const ws = new Workspace(path, db);
      ws.migrate(version, opts.migrateTo ?? SCHEMA_VERSION);
      return ws;
    } catch (e) {
      db.close();
      throw explainSqliteError(e, path);
    }
  }

  private migrate(from: number, to: number): void {
    if (from >= to) return;
    const step = this.db.transaction(() => {
      for (const m of MIGRATIONS) if (m.version > from && m.version <= to) this.db.exec(m.sql);
      this.db.pragma(`application_id = ${APPLICATION_ID}`);
      this.db.pragma(`user_version = ${to}`);
      this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run('migrated_at', now());
    });
    step();
  }

  get schemaVersion(): number { return this.db.pragma('user_version', { simple: true }) as number; }

  close(): void { this.db.close(); }

  /** Reads report damage (SQLITE_CORRUPT…) as StoreError too, not as a raw SQLite error. */
  private read<T>(fn: () => T): T { return this.write(fn); }

  private write<T>(fn: () => T): T {
    try { return fn(); } catch (e) { throw explainSqliteError(e, this.file); }
  }

  /** Paths are kept relative to the workspace's folder where possible, so a moved folder still opens. */
  private paths(abs: string | undefined): { abs: string | null; rel: string | null } {
    if (!abs) return { abs: null, rel: null };
    const a = resolve(abs);
    const r = relative(dirname(this.file), a);
    return { abs: a, rel: isAbsolute(r) ? null : r.split(sep).join('/') };
  }

  private resolvePath(abs: string | null, rel: string | null): { resolved: string | null; missing: boolean } {
    if (typeof rel === 'string') { const p = join(dirname(this.file), ...rel.split('/')); if (existsSync(p)) return { resolved: p, missing: false }; }
    if (typeof abs === 'string' && existsSync(abs)) return { resolved: abs, missing: false };
    return { resolved: null, missing: typeof abs === 'string' || typeof rel === 'string' };
  }

  addModel(m: { name: string; path?: string; sha256: string; bytes: number }): number {
    const p = this.paths(m.path);
    return this.write(() => {
      const found = this.db.prepare('SELECT id FROM models WHERE sha256 = ? AND abs_path IS ?').get(m.sha256, p.abs) as { id: number } | undefined;
      if (found) return found.id;
      return Number(this.db.prepare('INSERT INTO models (name, abs_path, rel_path, sha256, bytes, added_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(m.name, p.abs, p.rel, m.sha256, m.bytes, now()).lastInsertRowid);
    });
  }

  /** Models with where they are now; a missing file is reported (missing: true), not fatal. */
  listModels(): ModelRow[] {
    return this.read(() => {
      const rows = this.db.prepare('SELECT id, name, sha256, bytes, abs_path, rel_path FROM models ORDER BY id').all() as { id: number; name: string; sha256: string; bytes: number; abs_path: string | null; rel_path: string | null }[];
      return rows.map((r) => {
        const { resolved, missing } = this.resolvePath(r.abs_path, r.rel_path);
        return { id: r.id, name: r.name, sha256: r.sha256, bytes: r.bytes, absPath: r.abs_path, relPath: r.rel_path, resolvedPath: resolved, missing };
      });
    });
  }

  addDataset(d: { name: string; kind: string; path?: string }, cases: { key: string; path?: string; label?: string; prediction?: string; score?: number }[]): number {
    const p = this.paths(d.path);
    return this.write(() => this.db.transaction(() => {
      const id = Number(this.db.prepare('INSERT INTO datasets (name, kind, abs_path, rel_path, count, added_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(d.name, d.kind, p.abs, p.rel, cases.length, now()).lastInsertRowid);
      const ins = this.db.prepare('INSERT INTO cases (dataset_id, item_key, abs_path, rel_path, label, prediction, score) VALUES (?, ?, ?, ?, ?, ?, ?)');
      for (const c of cases) {
        const cp = this.paths(c.path);
        ins.run(id, c.key, cp.abs, cp.rel, c.label ?? null, c.prediction ?? null, c.score ?? null);
      }
      return id;
    })());
  }

  setCasePrediction(caseId: number, prediction: string | null, score: number | null): void {
    this.write(() => this.db.prepare('UPDATE cases SET prediction = ?, score = ? WHERE id = ?').run(prediction, score, caseId));
  }

  /** Store a tensor once, keyed by the SHA-256 of its dtype, dims and bytes. */
  putBlob(t: StoredTensor): string {
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    const hash = createHash('sha256').update(`${t.dtype}:${t.dims.join('x')}:`).update(bytes).digest('hex');
    this.write(() => this.db.prepare('INSERT OR IGNORE INTO blobs (hash, dtype, dims, data) VALUES (?, ?, ?, ?)').run(hash, t.dtype, JSON.stringify(t.dims), Buffer.from(bytes)));
    return hash;
  }

  getBlob(hash: string): StoredTensor | undefined {
    return this.read(() => {
      const r = this.db.prepare('SELECT dtype, dims, data FROM blobs WHERE hash = ?').get(hash) as { dtype: StoredTensor['dtype']; dims: string; data: Buffer } | undefined;
      if (!r) return undefined;
      const buf = r.data.buffer.slice(r.data.byteOffset, r.data.byteOffset + r.data.byteLength);
      const data = r.dtype === 'float32' ? new Float32Array(buf) : r.dtype === 'int32' ? new Int32Array(buf) : new Uint8Array(buf);
      return { dtype: r.dtype, dims: parseJson<number[]>(r.dims, []), data };
    });
  }

  startRun(r: { modelId?: number; datasetId?: number; method: string; settings: unknown; provider: string }): number {
    return this.write(() => Number(this.db.prepare('INSERT INTO runs (model_id, dataset_id, method, settings, provider, started_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(r.modelId ?? null, r.datasetId ?? null, r.method, JSON.stringify(r.settings), r.provider, now()).lastInsertRowid));
  }

  finishRun(runId: number, timings: Record<string, number>): void {
    this.write(() => this.db.prepare('UPDATE runs SET finished_at = ?, timings = ? WHERE id = ?').run(now(), JSON.stringify(timings), runId));
  }

  putResult(r: { runId: number; caseId: number; map?: StoredTensor; prediction?: string; score?: number; metrics?: Record<string, number> }): void {
    this.write(() => this.db.transaction(() => {
      const hash = r.map ? this.putBlob(r.map) : null;
      this.db.prepare('INSERT OR REPLACE INTO results (run_id, case_id, map_hash, prediction, score, metrics) VALUES (?, ?, ?, ?, ?, ?)')
        .run(r.runId, r.caseId, hash, r.prediction ?? null, r.score ?? null, r.metrics ? JSON.stringify(r.metrics) : null);
    })());
  }

  resultsFor(caseId: number): { runId: number; method: string; mapHash: string | null; score: number | null; metrics: Record<string, number> | null }[] {
    return this.read(() => {
      return (this.db.prepare('SELECT r.run_id, u.method, r.map_hash, r.score, r.metrics FROM results r JOIN runs u ON u.id = r.run_id WHERE r.case_id = ? ORDER BY r.run_id').all(caseId) as { run_id: number; method: string; map_hash: string | null; score: number | null; metrics: string | null }[])
        .map((x) => ({ runId: x.run_id, method: x.method, mapHash: x.map_hash, score: x.score, metrics: x.metrics ? parseJson<Record<string, number> | null>(x.metrics, null) : null }));
    });
  }

  /** Every run with its settings, provider and timings (for reports that must be reproducible). */
  listRuns(): RunRow[] {
    return this.read(() => {
      return (this.db.prepare('SELECT id, model_id, dataset_id, method, settings, provider, started_at, finished_at, timings FROM runs ORDER BY id').all() as { id: number; model_id: number | null; dataset_id: number | null; method: string; settings: string; provider: string; started_at: string; finished_at: string | null; timings: string | null }[])
        .map((r) => ({ id: r.id, modelId: r.model_id, datasetId: r.dataset_id, method: r.method, settings: parseJson<unknown>(r.settings, null), provider: r.provider, startedAt: r.started_at, finishedAt: r.finished_at, timings: r.timings ? parseJson<Record<string, number> | null>(r.timings, null) : null }));
    });
  }

  /** Record a verdict; durable (committed with a full sync) when this returns. */
  giveVerdict(v: { caseId: number; reviewer: string; verdict: string; note?: string; methods?: string[] }): number {
    if (!v.reviewer.trim() || v.reviewer.length > 200) throw new StoreError('invalid', 'a verdict needs the reviewer\'s name (at most 200 characters)');
    if (!v.verdict.trim() || v.verdict.length > 100) throw new StoreError('invalid', 'a verdict must be a short label such as "on-target"');
    if ((v.note ?? '').length > MAX_TEXT) throw new StoreError('invalid', `a note may have at most ${MAX_TEXT} characters`);
    return this.write(() => Number(this.db.prepare('INSERT INTO verdicts (case_id, reviewer, verdict, note, methods, given_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(v.caseId, v.reviewer.trim(), v.verdict, v.note ?? '', JSON.stringify(v.methods ?? []), now()).lastInsertRowid));
  }

  /** The latest verdict per (case, reviewer). */
  currentVerdicts(reviewer?: string): VerdictRow[] {
    return this.read(() => {
      const rows = this.db.prepare(`
        SELECT v.* FROM verdicts v
        JOIN (SELECT case_id, reviewer, max(id) AS id FROM verdicts GROUP BY case_id, reviewer) last ON last.id = v.id
        ${reviewer ? 'WHERE v.reviewer = ?' : ''} ORDER BY v.case_id, v.reviewer`).all(...(reviewer ? [reviewer] : [])) as { id: number; case_id: number; reviewer: string; verdict: string; note: string; methods: string; given_at: string }[];
      return rows.map((r) => ({ id: r.id, caseId: r.case_id, reviewer: r.reviewer, verdict: r.verdict, note: r.note, methods: parseJson(r.methods, [] as string[]), givenAt: r.given_at }));
    });
  }

  verdictHistory(caseId: number): VerdictRow[] {
    return this.read(() => {
      return (this.db.prepare('SELECT * FROM verdicts WHERE case_id = ? ORDER BY id').all(caseId) as { id: number; case_id: number; reviewer: string; verdict: string; note: string; methods: string; given_at: string }[])
        .map((r) => ({ id: r.id, caseId: r.case_id, reviewer: r.reviewer, verdict: r.verdict, note: r.note, methods: parseJson(r.methods, [] as string[]), givenAt: r.given_at }));
    });
  }

  listCases(f: CaseFilter = {}): CaseRow[] {
    return this.read(() => {
      const where: string[] = [], args: unknown[] = [];
      if (f.datasetId !== undefined) { where.push('c.dataset_id = ?'); args.push(f.datasetId); }
      if (f.label !== undefined) { where.push('c.label = ?'); args.push(f.label); }
      if (f.prediction !== undefined) { where.push('c.prediction = ?'); args.push(f.prediction); }
      if (f.minScore !== undefined) { where.push('c.score >= ?'); args.push(f.minScore); }
      if (f.maxScore !== undefined) { where.push('c.score <= ?'); args.push(f.maxScore); }
      if (f.verdict !== undefined) {
        const last = `(SELECT verdict FROM verdicts v WHERE v.case_id = c.id ${f.reviewer ? 'AND v.reviewer = ?' : ''} ORDER BY v.id DESC LIMIT 1)`;
        if (f.reviewer) args.push(f.reviewer);
        if (f.verdict === null) where.push(`${last} IS NULL`); else { where.push(`${last} = ?`); args.push(f.verdict); }
      }
      const rows = this.db.prepare(`SELECT c.* FROM cases c ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY c.id`).all(...args) as { id: number; dataset_id: number; item_key: string; abs_path: string | null; rel_path: string | null; label: string | null; prediction: string | null; score: number | null }[];
      return rows.map((r) => {
        const { resolved, missing } = this.resolvePath(r.abs_path, r.rel_path);
        return { id: r.id, datasetId: r.dataset_id, key: r.item_key, label: r.label, prediction: r.prediction, score: r.score, resolvedPath: resolved, missing };
      });
    });
  }

  /** One case by id (undefined when it is not in this workspace). */
  caseById(id: number): CaseRow | undefined {
    return this.read(() => {
      const r = this.db.prepare('SELECT * FROM cases WHERE id = ?').get(id) as { id: number; dataset_id: number; item_key: string; abs_path: string | null; rel_path: string | null; label: string | null; prediction: string | null; score: number | null } | undefined;
      if (!r) return undefined;
      const { resolved, missing } = this.resolvePath(r.abs_path, r.rel_path);
      return { id: r.id, datasetId: r.dataset_id, key: r.item_key, label: r.label, prediction: r.prediction, score: r.score, resolvedPath: resolved, missing };
    });
  }

  /** n of N cases reviewed by this reviewer. */
  progress(reviewer: string, datasetId?: number): { reviewed: number; total: number } {
    return this.read(() => {
      const ds = datasetId !== undefined ? 'WHERE dataset_id = ?' : '';
      const a = datasetId !== undefined ? [datasetId] : [];
      const total = (this.db.prepare(`SELECT count(*) AS n FROM cases ${ds}`).get(...a) as { n: number }).n;
      const reviewed = (this.db.prepare(`SELECT count(DISTINCT case_id) AS n FROM verdicts WHERE reviewer = ? AND case_id IN (SELECT id FROM cases ${ds})`).get(reviewer, ...a) as { n: number }).n;
      return { reviewed, total };
    });
  }

  integrityCheck(): string[] {
    return this.read(() => {
      return (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
    });
  }

  /** For tests and tools: limit the file size so writes fail as on a full disk. */
  limitPages(maxPages: number): void { this.db.pragma(`max_page_count = ${Math.floor(maxPages)}`); }

  sizeOnDisk(): number { return existsSync(this.file) ? statSync(this.file).size : 0; }
}
