// The review-workspace methods of the service: open/create workspaces, import cases, list and
// show cases, record verdicts (committed before the answer), agreement, report export.
//
// Which paths the renderer may name (a compromised page must not read or write arbitrary files):
// - Electron: only paths the user chose in the host's dialog (chooseReviewPath → PathGrants), and
//   for openWorkspace also the recent list (written only here, after such an open).
// - Browser host: only paths inside its workspaces folder (ReviewOptions.workspacesDir, else
//   RECEPTIVE_WORKSPACES_DIR), checked after resolving symlinks; new files need the right
//   extension (.rcpt for workspaces, .csv/.html/.pdf for reports). Without that folder, every
//   path-taking method is refused with a message saying how to configure it.
// Case images are read from where the (user-opened) workspace records them.
import { randomBytes } from 'node:crypto';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve, sep } from 'node:path';
import { Workspace, type CaseRow } from '../../core/store/workspace.ts';
import { StoreError } from '../../core/store/errors.ts';
import { RecentWorkspaces } from '../../core/store/recent.ts';
import { agreementBetween } from '../../core/report/agreement.ts';
import { decodeCaseImage, readCaseFile } from '../../core/report/case-image.ts';
import { geometryFromSettings, mapPlane } from '../../core/report/heatmap.ts';
import { importCases } from '../../core/report/import.ts';
import { exportReport } from '../../core/report/export.ts';
import type { PdfPrinter } from '../../core/report/pdf.ts';
import type { PathGrants } from '../security/grants.ts';
import { ApiFailure } from './errors.ts';
import type { ApiRequest, ApiResponse } from './contract.ts';
import type { CaseListEntry, ReviewResponses, reviewRequestSchemas, WorkspaceInfo } from './review-contract.ts';

export type ReviewMethod = keyof typeof reviewRequestSchemas;
export type ReviewHandlers = { [M in ReviewMethod]: (req: ApiRequest<M>) => Promise<ApiResponse<M>> };
export type ReviewPathPurpose = ApiRequest<'chooseReviewPath'>['purpose'];

export interface ReviewOptions {
  host: 'electron' | 'browser';
  grants: PathGrants;
  /** Browser host: the folder workspaces, imports and reports must lie in. */
  workspacesDir?: string;
  /** Recent-workspaces list (default: the user's config folder). */
  recent?: RecentWorkspaces;
  /** The host's open/save dialog (Electron). */
  choosePath?: (purpose: ReviewPathPurpose, format?: 'csv' | 'html' | 'pdf') => Promise<string | null>;
  /** Print-to-PDF of the host (Electron: hidden sandboxed window); default: system Chromium if present. */
  printPdf?: PdfPrinter;
  /** Most workspaces open at once. */
  maxOpen?: number;
}

const CREATE_EXT = '.rcpt';

/** Map core errors to API errors with their message (never "internal" for a bad file). */
function apiError(e: unknown): unknown {
  if (e instanceof ApiFailure) return e;
  if (e instanceof StoreError) return new ApiFailure(e.code === 'cannot-open' ? 'not-found' : 'invalid-request', e.message);
  if (e instanceof Error && ['ImportError', 'ImageError', 'DicomError', 'PdfUnavailableError'].includes(e.name)) return new ApiFailure('invalid-request', e.message);
  return e;
}

export function createReviewHandlers(opts: ReviewOptions): { handlers: ReviewHandlers; close(): void } {
  const recent = opts.recent ?? new RecentWorkspaces();
  const maxOpen = opts.maxOpen ?? 4;
  const open = new Map<string, Workspace>();
  const rootDir = opts.host === 'browser' ? (opts.workspacesDir ?? process.env.RECEPTIVE_WORKSPACES_DIR) : opts.workspacesDir;

  /** Browser host: `p` (absolute, or relative to the folder) resolved inside the workspaces folder. */
  const inRoot = (p: string, mustExist: boolean): string => {
    if (!rootDir) throw new ApiFailure('forbidden', 'this host has no workspaces folder: start it with RECEPTIVE_WORKSPACES_DIR=/path/to/folder (workspaces, images to import and reports must be inside it)');
    let root: string;
    try { root = realpathSync(rootDir); } catch { throw new ApiFailure('not-found', `the workspaces folder ${rootDir} does not exist; create it or configure another`); }
    const abs = resolve(root, p);
    const check = (real: string) => real === root || real.startsWith(root + sep);
    let real: string;
    if (existsSync(abs)) real = realpathSync(abs);
    else {
      if (mustExist) throw new ApiFailure('not-found', `${p} does not exist in the workspaces folder`);
      let parent: string;
      try { parent = realpathSync(dirname(abs)); } catch { throw new ApiFailure('not-found', `the folder of ${p} does not exist in the workspaces folder`); }
      real = join(parent, basename(abs));
    }
    if (!check(real)) throw new ApiFailure('forbidden', `${p} is outside the workspaces folder ${root}; this host only reads and writes inside it`);
    return real;
  };
  const allowInRoot = (p: string): boolean => { try { inRoot(p, true); return true; } catch { return false; } };

  /** The path the caller may use for `purpose`, or a 'forbidden' error. */
  const permitted = (p: string, purpose: ReviewPathPurpose, format?: string): string => {
    if (opts.host === 'browser') {
      const mustExist = purpose === 'open-workspace' || purpose === 'import-folder' || purpose === 'import-csv';
      const real = inRoot(p, mustExist);
      if (purpose === 'create-workspace' && extname(real).toLowerCase() !== CREATE_EXT) throw new ApiFailure('invalid-request', `a new workspace file must end in ${CREATE_EXT}`);
      if (purpose === 'export-report' && extname(real).toLowerCase() !== `.${format}`) throw new ApiFailure('invalid-request', `a ${format} report must be saved with the .${format} extension`);
      return real;
    }
    if (opts.grants.isGranted(p) || (purpose === 'open-workspace' && recent.has(p))) return resolve(p);
    throw new ApiFailure('forbidden', 'this path was not chosen through the file dialog; choose it with chooseReviewPath (or from the recent workspaces)');
  };

  const wsOrThrow = (id: string): Workspace => {
    const w = open.get(id);
    if (!w) throw new ApiFailure('not-found', `no open workspace with id "${id}"; open it again`);
    return w;
  };

  const info = (id: string, ws: Workspace): WorkspaceInfo => {
    const cases = ws.listCases();
    return {
      workspaceId: id, path: ws.file, schemaVersion: ws.schemaVersion,
      datasets: new Set(cases.map((c) => c.datasetId)).size, cases: cases.length,
      reviewers: [...new Set(ws.currentVerdicts().map((v) => v.reviewer))].sort(),
      models: ws.listModels().map((m) => ({ name: m.name, sha256: m.sha256, missing: m.missing })),
    };
  };

  const register = (file: string, create: boolean): WorkspaceInfo => {
    for (const [id, w] of open) if (w.file === file) return info(id, w);
    if (open.size >= maxOpen) throw new ApiFailure('invalid-request', `${open.size} workspaces are open, the most this host keeps; close one (closeWorkspace) first`);
    if (!create && existsSync(file) && !statSync(file).isFile()) throw new ApiFailure('invalid-request', `${file} is a folder, not a workspace file`);
    const ws = Workspace.open(file, { create });
    const id = `w_${randomBytes(8).toString('hex')}`;
    open.set(id, ws);
    recent.add(ws.file);
    return info(id, ws);
  };

  const entry = (c: CaseRow, verdicts: { reviewer: string; verdict: string }[]): CaseListEntry => ({
    id: c.id, datasetId: c.datasetId, key: c.key, label: c.label, prediction: c.prediction, score: c.score, missing: c.missing, verdicts,
  });

  const handlers: ReviewHandlers = {
    async chooseReviewPath(req) {
      if (!opts.choosePath) return null;
      const p = await opts.choosePath(req.purpose, req.format);
      return p ? { path: opts.grants.grant(p) } : null;
    },

    async openWorkspace(req) {
      const file = permitted(req.path, 'open-workspace');
      if (!existsSync(file)) { recent.remove(file); throw new ApiFailure('not-found', `${file} does not exist (moved or deleted?); it was removed from the recent list`); }
      return register(file, false);
    },

    async createWorkspace(req) {
      const file = permitted(req.path, 'create-workspace');
      if (existsSync(file)) throw new ApiFailure('invalid-request', `${file} already exists; open it instead, or choose a new name`);
      return register(file, true);
    },

    async closeWorkspace(req) {
      const w = open.get(req.workspaceId);
      if (!w) return { closed: false };
      open.delete(req.workspaceId);
      w.close();
      return { closed: true };
    },

    async recentWorkspaces() {
      return recent.list().map((e) => ({ path: e.path, openedAt: e.openedAt }));
    },

    async importCases(req) {
      const ws = wsOrThrow(req.workspaceId);
      const isCsv = extname(req.path).toLowerCase() === '.csv';
      const src = permitted(req.path, isCsv ? 'import-csv' : 'import-folder');
      // Browser host: files listed in a CSV must also lie in the workspaces folder.
      const allow = opts.host === 'browser' ? allowInRoot : undefined;
      return importCases(ws, src, { ...(req.name ? { name: req.name } : {}), ...(allow ? { allow } : {}) });
    },

    async listCases(req) {
      const ws = wsOrThrow(req.workspaceId);
      const f = req.filter ?? {};
      if (f.minScore !== undefined && f.maxScore !== undefined && f.minScore > f.maxScore) throw new ApiFailure('invalid-request', 'filter.minScore is above filter.maxScore');
      const all = ws.listCases(f);
      const current = new Map<number, { reviewer: string; verdict: string }[]>();
      for (const v of ws.currentVerdicts(f.reviewer)) {
        const l = current.get(v.caseId) ?? [];
        l.push({ reviewer: v.reviewer, verdict: v.verdict });
        current.set(v.caseId, l);
      }
      const offset = req.offset ?? 0, limit = req.limit ?? 1000;
      return { total: all.length, cases: all.slice(offset, offset + limit).map((c) => entry(c, current.get(c.id) ?? [])) };
    },

    async getCase(req) {
      const ws = wsOrThrow(req.workspaceId);
      const c = ws.caseById(req.caseId);
      if (!c) throw new ApiFailure('not-found', `case ${req.caseId} is not in this workspace`);
      const verdicts = ws.currentVerdicts().filter((v) => v.caseId === c.id);
      let image: ApiResponse<'getCase'>['image'] = null;
      let imageError: string | undefined;
      if (!c.resolvedPath) imageError = c.missing ? 'the image file is missing (moved or deleted?)' : 'no image file is recorded for this case';
      else {
        try { image = await decodeCaseImage(await readCaseFile(c.resolvedPath, c.key), { maxSide: req.maxSide ?? 1024, name: c.key }); } catch (e) { imageError = (e as Error).message; }
      }
      const settings = new Map(ws.listRuns().map((r) => [r.id, r.settings]));
      const maps: ApiResponse<'getCase'>['maps'] = [];
      for (const r of ws.resultsFor(c.id)) {
        if (!r.mapHash || (req.methods && !req.methods.includes(r.method))) continue;
        const blob = ws.getBlob(r.mapHash);
        if (!blob) continue;
        const plane = mapPlane(blob);
        let min = Infinity, max = -Infinity;
        for (const v of plane.data) if (Number.isFinite(v)) { if (v < min) min = v; if (v > max) max = v; }
        maps.push({
          runId: r.runId, method: r.method, height: plane.height, width: plane.width, data: plane.data,
          min: Number.isFinite(min) ? min : 0, max: Number.isFinite(max) ? max : 0,
          geometry: image ? geometryFromSettings(settings.get(r.runId), image.original) : null, score: r.score,
        });
      }
      return {
        case: entry(c, verdicts.map((v) => ({ reviewer: v.reviewer, verdict: v.verdict }))),
        image, ...(imageError ? { imageError } : {}), maps,
        verdicts: verdicts.map((v) => ({ reviewer: v.reviewer, verdict: v.verdict, note: v.note, methods: v.methods, givenAt: v.givenAt })),
      };
    },

    async giveVerdict(req) {
      const ws = wsOrThrow(req.workspaceId);
      if (!ws.caseById(req.caseId)) throw new ApiFailure('not-found', `case ${req.caseId} is not in this workspace`);
      // Synchronous: the INSERT is committed (synchronous=FULL) before this returns.
      const verdictId = ws.giveVerdict({ caseId: req.caseId, reviewer: req.reviewer, verdict: req.verdict, note: req.note ?? '', methods: req.methods ?? [] });
      return { verdictId, committed: true, progress: ws.progress(req.reviewer.trim()) };
    },

    async reviewProgress(req) {
      return wsOrThrow(req.workspaceId).progress(req.reviewer, req.datasetId);
    },

    async agreement(req) {
      const ws = wsOrThrow(req.workspaceId);
      if (req.a === req.b) throw new ApiFailure('invalid-request', 'agreement needs two different reviewers');
      try {
        return agreementBetween(ws, req.a, req.b, req.datasetId !== undefined ? { datasetId: req.datasetId } : undefined);
      } catch (e) {
        if (e instanceof ApiFailure) throw e;
        throw new ApiFailure('invalid-request', (e as Error).message);
      }
    },

    async exportReport(req) {
      const ws = wsOrThrow(req.workspaceId);
      const file = permitted(req.path, 'export-report', req.format);
      if (existsSync(file) && !statSync(file).isFile()) throw new ApiFailure('invalid-request', `${file} is a folder`);
      const r = await exportReport(ws, req.format, file, {
        ...(req.methods ? { methods: req.methods } : {}), ...(req.filter ? { filter: req.filter } : {}), ...(opts.printPdf ? { printer: opts.printPdf } : {}),
      });
      return { ...r, format: req.format };
    },
  };

  // Every handler reports core failures (bad file, bad image, full disk) as API errors with their message.
  const wrapped = Object.fromEntries(Object.entries(handlers).map(([k, fn]) => [k, async (req: unknown) => {
    try { return await (fn as (r: unknown) => Promise<unknown>)(req); } catch (e) { throw apiError(e); }
  }])) as ReviewHandlers;

  return {
    handlers: wrapped,
    close() { for (const w of open.values()) { try { w.close(); } catch { /* already closed */ } } open.clear(); },
  };
}

export type { ReviewResponses };
