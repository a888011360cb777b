// Shared bench harness: each bench/*.bench.ts default-exports a function that records rows.
// Ratios are measured within one run (absolute times drift on shared machines).
export interface BenchRow {
  group: string;
  name: string;
  value: number;
  unit: string;
  /** e.g. "≤ 1.05" */
  target?: string;
  ok?: boolean;
  note?: string;
}

export interface BenchReport {
  row(r: BenchRow): void;
  log(msg: string): void;
}

export type Bench = (report: BenchReport) => Promise<void>;

export async function timeIt(fn: () => unknown | Promise<unknown>, repeats: number, warmup = 1): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
