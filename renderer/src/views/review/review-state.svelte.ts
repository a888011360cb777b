// The Review tab's state: the open workspace, the reviewer, the case list (paged from the host,
// sparse), the selected case and the verdicts being saved. A verdict counts as saved only once
// the host answered (it commits before answering); a failed save stays pending for a retry.
import type { AgreementResult, ApiRequest, CaseDetail, CaseListEntry, ReceptiveApi, WorkspaceInfo } from '../../../../electron/api/contract.ts';
import { toHostError } from '../../lib/api.ts';

export type CaseFilter = NonNullable<ApiRequest<'listCases'>['filter']>;
export type ReportFormat = ApiRequest<'exportReport'>['format'];

/** The filter as the form holds it: empty strings mean "any". */
export interface FilterForm { label: string; prediction: string; minScore: string; maxScore: string; verdict: string; reviewer: string }
export const NOT_REVIEWED = '__none__';
export const EMPTY_FILTER: FilterForm = { label: '', prediction: '', minScore: '', maxScore: '', verdict: '', reviewer: '' };

export interface PendingVerdict { caseId: number; verdict: string; note: string; state: 'saving' | 'failed'; error?: string }

const PAGE = 200;
const REVIEWER_KEY = 'receptive.review.reviewer';

/** The form as an API filter; throws with a message for a bad score range. */
export function toApiFilter(f: FilterForm): CaseFilter {
  const out: CaseFilter = {};
  if (f.label.trim()) out.label = f.label.trim();
  if (f.prediction.trim()) out.prediction = f.prediction.trim();
  for (const k of ['minScore', 'maxScore'] as const) {
    if (!f[k].trim()) continue;
    const v = Number(f[k]);
    if (!Number.isFinite(v)) throw new Error(`the ${k === 'minScore' ? 'lowest' : 'highest'} score must be a number`);
    out[k] = v;
  }
  if (out.minScore !== undefined && out.maxScore !== undefined && out.minScore > out.maxScore) throw new Error('the lowest score is above the highest');
  if (f.verdict === NOT_REVIEWED) out.verdict = null;
  else if (f.verdict) out.verdict = f.verdict;
  if (f.reviewer.trim()) out.reviewer = f.reviewer.trim();
  return out;
}

function storedReviewer(): string {
  try { return localStorage.getItem(REVIEWER_KEY) ?? ''; } catch { return ''; }
}

export class ReviewSession {
  workspace = $state.raw<WorkspaceInfo | null>(null);
  recent = $state.raw<{ path: string; openedAt: string }[]>([]);
  reviewer = $state(storedReviewer());
  filterForm = $state<FilterForm>({ ...EMPTY_FILTER });
  total = $state(0);
  /** Sparse: index → case, filled page by page as the list scrolls. */
  rows = $state.raw<Map<number, CaseListEntry>>(new Map());
  index = $state<number | null>(null);
  detail = $state.raw<CaseDetail | null>(null);
  detailError = $state<string | null>(null);
  loadingCase = $state(false);
  progress = $state.raw<{ reviewed: number; total: number } | null>(null);
  /** Verdicts sent but not confirmed, or refused (kept for a retry), by case id. */
  pending = $state.raw<Map<number, PendingVerdict>>(new Map());
  /** What the workspace bar says (import counts, export path, host messages). */
  message = $state<{ text: string; kind: 'info' | 'error' } | null>(null);
  busy = $state<string | null>(null);
  agreement = $state.raw<AgreementResult | null>(null);
  agreementError = $state<string | null>(null);
  /** Notes edited but not saved, by case id (kept when the reviewer moves on). */
  readonly drafts = new Map<number, string>();

  private listSeq = 0;
  private caseSeq = 0;
  private pages = new Map<number, Promise<void>>();
  /** Verdicts confirmed in this session, numbered, so a case fetched before one landed still shows it. */
  private confirmedSeq = 0;
  private confirmed = new Map<number, { seq: number; reviewer: string; verdict: string; note: string }>();

  constructor(readonly api: ReceptiveApi) {}

  get current(): CaseListEntry | null {
    return this.index === null ? null : this.rows.get(this.index) ?? null;
  }

  setReviewer(name: string): void {
    this.reviewer = name.trim();
    // A "enter your name" complaint (or any stale error) no longer applies.
    if (this.message?.kind === 'error') this.message = null;
    try { localStorage.setItem(REVIEWER_KEY, this.reviewer); } catch { /* private mode: remembered for this session only */ }
    void this.refreshProgress();
    // The current case's note is the reviewer's own.
    if (this.index !== null) void this.select(this.index);
  }

  say(text: string, kind: 'info' | 'error' = 'info'): void {
    this.message = { text, kind };
  }

  fail(e: unknown, what: string): void {
    this.say(`${what}: ${toHostError(e).message}`, 'error');
  }

  async loadRecent(): Promise<void> {
    try { this.recent = await this.api.recentWorkspaces({}); } catch (e) { this.fail(e, 'Could not read the recent workspaces'); }
  }

  private async run<T>(label: string, fn: () => Promise<T>): Promise<T | undefined> {
    this.busy = label;
    try { return await fn(); } catch (e) { this.fail(e, label.replace(/…$/, '') + ' failed'); return undefined; } finally { this.busy = null; }
  }

  async openWorkspace(path: string, create: boolean): Promise<boolean> {
    const info = await this.run(create ? 'Creating the workspace…' : 'Opening the workspace…', () => (create ? this.api.createWorkspace({ path }) : this.api.openWorkspace({ path })));
    if (!info) return false;
    const previous = this.workspace;
    if (previous && previous.workspaceId !== info.workspaceId) void this.api.closeWorkspace({ workspaceId: previous.workspaceId }).catch(() => undefined);
    this.workspace = info;
    this.pending = new Map();
    this.drafts.clear();
    this.confirmed.clear();
    this.agreement = null;
    this.say(`${create ? 'Created' : 'Opened'} ${info.path}: ${info.cases} case${info.cases === 1 ? '' : 's'}`);
    void this.loadRecent();
    await this.reloadList(0);
    await this.refreshProgress();
    return true;
  }

  /** Re-read the workspace's summary (reviewers, case count) after imports and verdicts. */
  async refreshInfo(): Promise<void> {
    const ws = this.workspace;
    if (!ws) return;
    try { this.workspace = await this.api.openWorkspace({ path: ws.path }); } catch { /* keep the last summary */ }
  }

  async importCases(path: string): Promise<void> {
    const ws = this.workspace;
    if (!ws) return;
    const r = await this.run('Importing cases…', () => this.api.importCases({ workspaceId: ws.workspaceId, path }));
    if (!r) return;
    const labels = Object.entries(r.labels).map(([k, n]) => `${k}: ${n}`).join(', ');
    this.say(`Imported ${r.imported} case${r.imported === 1 ? '' : 's'} (${r.kind})${r.skipped ? `, skipped ${r.skipped}` : ''}${labels ? ` — ${labels}` : ''}`);
    await this.refreshInfo();
    await this.reloadList(this.index ?? 0);
    await this.refreshProgress();
  }

  async exportReport(format: ReportFormat, path: string): Promise<void> {
    const ws = this.workspace;
    if (!ws) return;
    let filter: CaseFilter;
    try { filter = toApiFilter(this.filterForm); } catch (e) { this.say((e as Error).message, 'error'); return; }
    const r = await this.run(`Exporting the ${format.toUpperCase()} report…`, () => this.api.exportReport({ workspaceId: ws.workspaceId, format, path, filter }));
    if (r) this.say(`Saved ${r.path} (${r.cases} case${r.cases === 1 ? '' : 's'}, ${Math.max(1, Math.round(r.bytes / 1024))} KB)`);
  }

  async closeWorkspace(): Promise<void> {
    const ws = this.workspace;
    if (!ws) return;
    this.workspace = null;
    this.rows = new Map(); this.total = 0; this.index = null; this.detail = null; this.progress = null; this.agreement = null;
    await this.api.closeWorkspace({ workspaceId: ws.workspaceId }).catch((e: unknown) => this.fail(e, 'Closing failed'));
  }

  /** Fetch the list again (filter changed, import) and select `keep` (clamped). */
  async reloadList(keep: number | null): Promise<void> {
    const ws = this.workspace;
    if (!ws) return;
    let filter: CaseFilter;
    try { filter = toApiFilter(this.filterForm); } catch (e) { this.say((e as Error).message, 'error'); return; }
    const seq = ++this.listSeq;
    this.pages.clear();
    try {
      const r = await this.api.listCases({ workspaceId: ws.workspaceId, filter, offset: 0, limit: PAGE });
      if (seq !== this.listSeq) return;
      const rows = new Map<number, CaseListEntry>();
      r.cases.forEach((c, i) => rows.set(i, c));
      this.pages.set(0, Promise.resolve());
      this.rows = rows;
      this.total = r.total;
      if (r.total === 0) { this.index = null; this.detail = null; return; }
      await this.select(Math.min(Math.max(0, keep ?? 0), r.total - 1));
    } catch (e) {
      if (seq === this.listSeq) this.fail(e, 'Could not list the cases');
    }
  }

  /** Make sure rows [from, to) are loaded (the list calls this as it scrolls). */
  ensureRows(from: number, to: number): Promise<void> {
    const ws = this.workspace;
    if (!ws) return Promise.resolve();
    const jobs: Promise<void>[] = [];
    for (let p = Math.floor(Math.max(0, from) / PAGE); p * PAGE < Math.min(to, this.total); p++) {
      let job = this.pages.get(p);
      if (!job) {
        const seq = this.listSeq;
        let filter: CaseFilter;
        try { filter = toApiFilter(this.filterForm); } catch { return Promise.resolve(); }
        job = this.api.listCases({ workspaceId: ws.workspaceId, filter, offset: p * PAGE, limit: PAGE }).then((r) => {
          if (seq !== this.listSeq) return;
          const rows = new Map(this.rows);
          r.cases.forEach((c, i) => rows.set(p * PAGE + i, c));
          this.rows = rows;
        }, (e: unknown) => { this.pages.delete(p); this.fail(e, 'Could not list the cases'); });
        this.pages.set(p, job);
      }
      jobs.push(job);
    }
    return Promise.all(jobs).then(() => undefined);
  }

  async select(i: number): Promise<void> {
    const ws = this.workspace;
    if (!ws || this.total === 0) return;
    i = Math.min(Math.max(0, i), this.total - 1);
    this.index = i;
    await this.ensureRows(i, i + 1);
    const c = this.rows.get(i);
    if (!c || this.index !== i) return;
    const seq = ++this.caseSeq;
    this.loadingCase = true;
    this.detailError = null;
    try {
      const since = this.confirmedSeq;
      const d = await this.api.getCase({ workspaceId: ws.workspaceId, caseId: c.id, maxSide: 1024 });
      if (seq !== this.caseSeq) return;
      this.detail = d;
      const late = this.confirmed.get(c.id);
      if (late && late.seq > since) this.applyVerdict(c.id, late.reviewer, late.verdict, late.note);
    } catch (e) {
      if (seq !== this.caseSeq) return;
      this.detail = null;
      this.detailError = toHostError(e).message;
    } finally {
      if (seq === this.caseSeq) this.loadingCase = false;
    }
  }

  next(step: 1 | -1): void {
    if (this.total === 0) return;
    void this.select((this.index ?? -1) + step);
  }

  /** This reviewer's stored verdict and note on the shown case. */
  myVerdict(): { verdict: string; note: string } | null {
    const d = this.detail;
    if (!d) return null;
    const v = d.verdicts.find((x) => x.reviewer === this.reviewer);
    return v ? { verdict: v.verdict, note: v.note } : null;
  }

  /** Send a verdict; resolves true once the host confirmed it was committed. */
  async giveVerdict(caseId: number, verdict: string, note: string): Promise<boolean> {
    const ws = this.workspace;
    if (!ws) return false;
    if (!this.reviewer) { this.say('Enter your name as reviewer first (top of the Review tab)', 'error'); return false; }
    const reviewer = this.reviewer;
    this.setPending({ caseId, verdict, note, state: 'saving' });
    try {
      const r = await this.api.giveVerdict({ workspaceId: ws.workspaceId, caseId, reviewer, verdict, note });
      const p = new Map(this.pending); p.delete(caseId); this.pending = p;
      if (this.drafts.get(caseId) === note) this.drafts.delete(caseId);
      if (this.workspace?.workspaceId !== ws.workspaceId) return true;
      this.progress = r.progress;
      this.confirmed.set(caseId, { seq: ++this.confirmedSeq, reviewer, verdict, note });
      this.applyVerdict(caseId, reviewer, verdict, note);
      if (!ws.reviewers.includes(reviewer)) void this.refreshInfo();
      return true;
    } catch (e) {
      this.setPending({ caseId, verdict, note, state: 'failed', error: toHostError(e).message });
      return false;
    }
  }

  retry(caseId: number): void {
    const p = this.pending.get(caseId);
    if (p) void this.giveVerdict(caseId, p.verdict, p.note);
  }

  private setPending(p: PendingVerdict): void {
    const m = new Map(this.pending); m.set(p.caseId, p); this.pending = m;
  }

  /** Reflect a confirmed verdict in the list row and the shown case without refetching. */
  private applyVerdict(caseId: number, reviewer: string, verdict: string, note: string): void {
    const rows = new Map(this.rows);
    for (const [i, c] of rows) {
      if (c.id !== caseId) continue;
      rows.set(i, { ...c, verdicts: [...c.verdicts.filter((v) => v.reviewer !== reviewer), { reviewer, verdict }] });
    }
    this.rows = rows;
    const d = this.detail;
    if (d && d.case.id === caseId) {
      const others = d.verdicts.filter((v) => v.reviewer !== reviewer);
      this.detail = { ...d, verdicts: [...others, { reviewer, verdict, note, methods: [], givenAt: new Date().toISOString() }] };
    }
  }

  async refreshProgress(): Promise<void> {
    const ws = this.workspace;
    if (!ws || !this.reviewer) { this.progress = null; return; }
    try { this.progress = await this.api.reviewProgress({ workspaceId: ws.workspaceId, reviewer: this.reviewer }); } catch (e) { this.fail(e, 'Could not read the progress'); }
  }

  async computeAgreement(a: string, b: string): Promise<void> {
    const ws = this.workspace;
    if (!ws) return;
    this.agreementError = null;
    try { this.agreement = await this.api.agreement({ workspaceId: ws.workspaceId, a, b }); } catch (e) { this.agreement = null; this.agreementError = toHostError(e).message; }
  }
}

const sessions = new WeakMap<ReceptiveApi, ReviewSession>();

/** One session per connection, so the open workspace survives switching tabs. */
export function reviewSessionFor(api: ReceptiveApi): ReviewSession {
  let s = sessions.get(api);
  if (!s) { s = new ReviewSession(api); sessions.set(api, s); }
  return s;
}
