// Everything a report shows, read from a workspace in one place: cases with their current
// verdicts (latest per reviewer), stored maps per method, summary counts, agreement between two
// reviewers, and the runs (settings, provider, timings) and models (SHA-256) needed to reproduce it.
import type { CaseFilter, CaseRow, ModelRow, RunRow, VerdictRow, Workspace } from '../store/workspace.ts';
import { agreementBetween, type Agreement } from './agreement.ts';

export interface ReportCase extends CaseRow {
  verdicts: VerdictRow[];
  /** Methods with a stored result for this case (run order), e.g. ['gradcam', 'ig']. */
  methods: string[];
  maps: { runId: number; method: string; mapHash: string | null; score: number | null }[];
}

export interface ReportData {
  workspace: string;
  generatedAt: string;
  cases: ReportCase[];
  reviewers: string[];
  /** Current verdicts counted per verdict label, and per case label × verdict. */
  counts: { byVerdict: Record<string, number>; byLabel: Record<string, number>; byLabelVerdict: Record<string, Record<string, number>>; unjudged: number };
  /** Present when exactly two reviewers judged at least one common case. */
  agreement: Agreement | null;
  runs: RunRow[];
  models: ModelRow[];
}

export function collectReport(ws: Workspace, opts: { filter?: CaseFilter; now?: Date } = {}): ReportData {
  const cases = ws.listCases(opts.filter);
  const byCase = new Map<number, VerdictRow[]>();
  for (const v of ws.currentVerdicts()) {
    const list = byCase.get(v.caseId) ?? [];
    list.push(v);
    byCase.set(v.caseId, list);
  }
  const counts: ReportData['counts'] = { byVerdict: {}, byLabel: {}, byLabelVerdict: {}, unjudged: 0 };
  const reviewers = new Set<string>();
  const out: ReportCase[] = cases.map((c) => {
    const verdicts = byCase.get(c.id) ?? [];
    const maps = ws.resultsFor(c.id).map((r) => ({ runId: r.runId, method: r.method, mapHash: r.mapHash, score: r.score }));
    const label = c.label ?? '(none)';
    counts.byLabel[label] = (counts.byLabel[label] ?? 0) + 1;
    if (verdicts.length === 0) counts.unjudged++;
    for (const v of verdicts) {
      reviewers.add(v.reviewer);
      counts.byVerdict[v.verdict] = (counts.byVerdict[v.verdict] ?? 0) + 1;
      const row = (counts.byLabelVerdict[label] ??= {});
      row[v.verdict] = (row[v.verdict] ?? 0) + 1;
    }
    return { ...c, verdicts, maps, methods: [...new Set(maps.map((m) => m.method))] };
  });
  const names = [...reviewers].sort();
  let agreement: Agreement | null = null;
  if (names.length === 2) {
    try { agreement = agreementBetween(ws, names[0]!, names[1]!, opts.filter); } catch { agreement = null; }
  }
  return {
    workspace: ws.file, generatedAt: (opts.now ?? new Date()).toISOString(), cases: out, reviewers: names, counts, agreement,
    runs: ws.listRuns(), models: ws.listModels(),
  };
}
