// Runs one fuzz target in a child process (a native crash in sharp, better-sqlite3 or a codec then
// fails the test instead of killing vitest) and checks its summary. FUZZ_SECONDS (default 20)
// and FUZZ_SEED (default 1) control the run, FUZZ_MAX_CASES (default 5000) caps it; failing inputs are kept in the printed folder.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';

export const FUZZ_SECONDS = Math.max(1, Number(process.env.FUZZ_SECONDS ?? 20));
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 1);
/** How much the child's RSS may grow over the run (leaks show as steady growth). */
const RSS_GROWTH_MB = 400;

export interface FuzzSummary {
  target: string; cases: number; seeds: number; seedsOk: number; outcomes: Record<string, number>;
  failures: { case: number; ops: string[]; kind: string; error: string; ms: number; file?: string }[];
  maxMs: number; rssStartMB: number; rssMaxMB: number;
}

export async function fuzzTarget(target: string, minCases: number): Promise<FuzzSummary> {
  const work = mkdtempSync(join(tmpdir(), `receptive-fuzz-${target}-`));
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'runner.ts'), target, String(FUZZ_SECONDS), String(FUZZ_SEED), work], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  // Libraries log warnings for odd inputs (dcmjs "Invalid vr type"); keep only the tail for diagnosis.
  child.stderr.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-4000); });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((res) => child.on('exit', (c, s) => res([c, s])));
  expect(signal, `fuzz ${target}: the loader process died by ${signal}; the input it was on is ${join(work, 'current.bin')}\n${err}`).toBeNull();
  expect(code, `fuzz ${target}: the loader process exited with ${code}; the input it was on is ${join(work, 'current.bin')}\n${err}`).toBe(0);
  const s = JSON.parse(out.trim().split('\n').pop()!) as FuzzSummary;
  console.log(`fuzz ${target}: ${s.cases} cases in ${FUZZ_SECONDS} s (seed ${FUZZ_SEED}), max ${s.maxMs} ms per case, RSS ${s.rssStartMB} → ${s.rssMaxMB} MB; outcomes ${JSON.stringify(s.outcomes)}`);
  expect(s.seedsOk, `fuzz ${target}: some valid seeds do not load`).toBe(s.seeds);
  expect(s.failures, `fuzz ${target}: inputs kept in ${work}`).toEqual([]);
  expect(s.cases).toBeGreaterThanOrEqual(minCases);
  expect(s.rssMaxMB - s.rssStartMB).toBeLessThan(RSS_GROWTH_MB);
  // Mutations must reach past the first check: some mutated inputs still load, others are refused.
  expect(s.outcomes.ok ?? 0).toBeGreaterThan(0);
  expect(s.cases - (s.outcomes.ok ?? 0)).toBeGreaterThan(0);
  rmSync(work, { recursive: true, force: true });
  return s;
}

export const TIMEOUT_MS = FUZZ_SECONDS * 1000 + 90_000;
