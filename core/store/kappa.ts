// Cohen's kappa for two reviewers' verdicts on the same cases: κ = (p_o − p_e) / (1 − p_e).
export function cohenKappa(a: readonly string[], b: readonly string[]): { kappa: number; observed: number; expected: number; n: number } {
  if (a.length !== b.length) throw new Error(`Cohen's kappa needs paired verdicts: ${a.length} vs ${b.length}`);
  const n = a.length;
  if (n === 0) throw new Error("Cohen's kappa needs at least one case both reviewers judged");
  const ca = new Map<string, number>(), cb = new Map<string, number>();
  let agree = 0;
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) agree++;
    ca.set(a[i]!, (ca.get(a[i]!) ?? 0) + 1);
    cb.set(b[i]!, (cb.get(b[i]!) ?? 0) + 1);
  }
  const po = agree / n;
  let pe = 0;
  for (const [k, v] of ca) pe += (v / n) * ((cb.get(k) ?? 0) / n);
  // Both reviewers used one identical label throughout: agreement is perfect but κ is undefined (0/0); report 1.
  const kappa = pe === 1 ? 1 : (po - pe) / (1 - pe);
  return { kappa, observed: po, expected: pe, n };
}
