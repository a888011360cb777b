// Agreement between two reviewers over the cases both judged: Cohen's kappa and the confusion
// table (rows: reviewer a's verdicts, columns: reviewer b's), from their current verdicts.
import { cohenKappa } from '../store/kappa.ts';
import type { CaseFilter, Workspace } from '../store/workspace.ts';

export interface Agreement {
  a: string;
  b: string;
  /** Cases both reviewers judged. */
  n: number;
  kappa: number;
  observed: number;
  expected: number;
  /** Verdict labels in table order (sorted). */
  labels: string[];
  /** table[i][j] = cases a judged labels[i] and b judged labels[j]. */
  table: number[][];
}

export function agreementBetween(ws: Workspace, a: string, b: string, filter?: CaseFilter): Agreement {
  const inScope = filter ? new Set(ws.listCases(filter).map((c) => c.id)) : null;
  const va = new Map(ws.currentVerdicts(a).map((v) => [v.caseId, v.verdict]));
  const pa: string[] = [], pb: string[] = [];
  for (const v of ws.currentVerdicts(b)) {
    const x = va.get(v.caseId);
    if (x === undefined || (inScope && !inScope.has(v.caseId))) continue;
    pa.push(x); pb.push(v.verdict);
  }
  if (pa.length === 0) throw new Error(`"${a}" and "${b}" have not both judged any case yet; agreement needs cases both reviewers judged`);
  const k = cohenKappa(pa, pb);
  const labels = [...new Set([...pa, ...pb])].sort();
  const idx = new Map(labels.map((l, i) => [l, i]));
  const table = labels.map(() => labels.map(() => 0));
  for (let i = 0; i < pa.length; i++) table[idx.get(pa[i]!)!]![idx.get(pb[i]!)!]!++;
  return { a, b, n: k.n, kappa: k.kappa, observed: k.observed, expected: k.expected, labels, table };
}
