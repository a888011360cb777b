// The review-workspace part of the API contract (workspaces, cases, verdicts, agreement, reports),
// kept in its own module and merged into contract.ts (requestSchemas spread, ApiResponses extends).
// Every field is bounded: names and labels short, notes at most 10,000 characters, paths 4096.
import { z } from 'zod';
import type { ImageGeometry } from '../../core/data/image.ts';

export const MAX_REVIEWER = 200;
export const MAX_VERDICT = 100;
export const MAX_NOTE = 10_000;
export const MAX_CASE_LABEL = 1000;
export const MAX_CASES_PAGE = 10_000;
/** The suggested verdicts; any other short label is accepted too (a clinic's own vocabulary). */
export const VERDICT_CHOICES = ['on-target', 'off-target', 'artifact', 'unsure'] as const;

const wsId = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/);
const path = z.string().min(1).max(4096).refine((p) => !p.includes('\0'), 'paths cannot contain NUL');
const rowId = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
// Printable text without control characters (tabs/newlines are allowed only in notes).
const noControl = (s: string) => !/[\u0000-\u001f\u007f]/.test(s);
const reviewer = z.string().trim().min(1).max(MAX_REVIEWER).refine(noControl, 'reviewer names cannot contain control characters');
const verdict = z.string().trim().min(1).max(MAX_VERDICT).refine(noControl, 'a verdict is a short label such as "on-target"');
const label = z.string().max(MAX_CASE_LABEL);
const method = z.string().min(1).max(128);
export const reportFormatSchema = z.enum(['csv', 'html', 'pdf']);

export const caseFilterSchema = z.object({
  datasetId: rowId.optional(),
  label: label.optional(),
  prediction: label.optional(),
  minScore: z.number().finite().optional(),
  maxScore: z.number().finite().optional(),
  /** A verdict label, or null for "not judged yet" (by `reviewer` when given, else by anyone). */
  verdict: verdict.nullable().optional(),
  reviewer: reviewer.optional(),
}).strict();

export const reviewRequestSchemas = {
  /** The host's dialog for a review path (Electron); resolves to a granted path, or null (cancelled / browser host). */
  chooseReviewPath: z.object({ purpose: z.enum(['open-workspace', 'create-workspace', 'import-folder', 'import-csv', 'export-report']), format: reportFormatSchema.optional() }).strict(),
  /** Electron: a path from chooseReviewPath or the recent list. Browser host: a path inside its workspaces folder. */
  openWorkspace: z.object({ path }).strict(),
  createWorkspace: z.object({ path }).strict(),
  closeWorkspace: z.object({ workspaceId: wsId }).strict(),
  recentWorkspaces: z.object({}).strict(),
  /** A folder of images/DICOM (class subfolders give labels) or a CSV (path[, key, label, prediction, score]). */
  importCases: z.object({ workspaceId: wsId, path, name: z.string().min(1).max(256).optional() }).strict(),
  listCases: z.object({ workspaceId: wsId, filter: caseFilterSchema.optional(), offset: z.number().int().min(0).max(10_000_000).optional(), limit: z.number().int().min(1).max(MAX_CASES_PAGE).optional() }).strict(),
  /** The case image (DICOM windowed) and its stored maps for the chosen methods (all when omitted). */
  getCase: z.object({ workspaceId: wsId, caseId: rowId, methods: z.array(method).max(32).optional(), maxSide: z.number().int().min(16).max(4096).optional() }).strict(),
  /** Answers only after the verdict is committed (synchronous full-sync transaction). */
  giveVerdict: z.object({ workspaceId: wsId, caseId: rowId, reviewer, verdict, note: z.string().max(MAX_NOTE).optional(), methods: z.array(method).max(32).optional() }).strict(),
  reviewProgress: z.object({ workspaceId: wsId, reviewer, datasetId: rowId.optional() }).strict(),
  agreement: z.object({ workspaceId: wsId, a: reviewer, b: reviewer, datasetId: rowId.optional() }).strict(),
  exportReport: z.object({ workspaceId: wsId, format: reportFormatSchema, path, methods: z.array(method).max(32).optional(), filter: caseFilterSchema.optional() }).strict(),
} as const;

export interface WorkspaceInfo {
  workspaceId: string;
  path: string;
  schemaVersion: number;
  datasets: number;
  cases: number;
  reviewers: string[];
  models: { name: string; sha256: string; missing: boolean }[];
}

export interface CaseVerdict { reviewer: string; verdict: string; note: string; methods: string[]; givenAt: string }

export interface CaseListEntry {
  id: number;
  datasetId: number;
  key: string;
  label: string | null;
  prediction: string | null;
  score: number | null;
  /** The image file is not where the workspace recorded it. */
  missing: boolean;
  /** Current verdict of each reviewer (filter.reviewer only, when given). */
  verdicts: { reviewer: string; verdict: string }[];
}

export interface CaseMap {
  runId: number;
  method: string;
  /** The stored map as one plane (channels averaged), raw values. */
  height: number;
  width: number;
  data: Float32Array;
  min: number;
  max: number;
  /** How the model input sat on the original image (resize, crop), when the run recorded its preprocessing. */
  geometry: ImageGeometry | null;
  score: number | null;
}

export interface CaseDetail {
  case: CaseListEntry;
  /** 8-bit interleaved display pixels; null (with imageError) when the file is missing or unreadable. */
  image: { width: number; height: number; channels: 1 | 3; data: Uint8Array; original: { width: number; height: number }; kind: 'dicom' | 'image'; voi?: string } | null;
  imageError?: string;
  maps: CaseMap[];
  verdicts: CaseVerdict[];
}

export interface AgreementResult {
  a: string; b: string; n: number; kappa: number; observed: number; expected: number;
  /** Row: a's verdict, column: b's (labels order). */
  labels: string[];
  table: number[][];
}

export interface ReviewResponses {
  chooseReviewPath: { path: string } | null;
  openWorkspace: WorkspaceInfo;
  createWorkspace: WorkspaceInfo;
  closeWorkspace: { closed: boolean };
  recentWorkspaces: { path: string; openedAt: string }[];
  importCases: { datasetId: number; kind: 'folder' | 'csv'; imported: number; skipped: number; labels: Record<string, number> };
  listCases: { total: number; cases: CaseListEntry[] };
  getCase: CaseDetail;
  giveVerdict: { verdictId: number; committed: true; progress: { reviewed: number; total: number } };
  reviewProgress: { reviewed: number; total: number };
  agreement: AgreementResult;
  exportReport: { path: string; bytes: number; cases: number; format: z.infer<typeof reportFormatSchema> };
}

export const REVIEW_METHODS = {
  chooseReviewPath: true, openWorkspace: true, createWorkspace: true, closeWorkspace: true, recentWorkspaces: true, importCases: true,
  listCases: true, getCase: true, giveVerdict: true, reviewProgress: true, agreement: true, exportReport: true,
} as const satisfies Record<keyof typeof reviewRequestSchemas, true>;
