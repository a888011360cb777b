// Child process of the fuzz tests: `tsx runner.ts TARGET SECONDS SEED WORKDIR`. Runs mutated seeds
// through one target until the time is up and prints one JSON summary line. Before each case the
// input is written to WORKDIR/current.bin, so a native crash (which kills this process) leaves
// the input that caused it behind.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TARGETS } from './targets.ts';
import { mutate, rng } from './mutate.ts';

const [name, secondsArg, seedArg, work] = process.argv.slice(2);
const target = TARGETS[name!];
if (!target || !work) { console.error('usage: runner.ts TARGET SECONDS SEED WORKDIR'); process.exit(2); }
mkdirSync(work, { recursive: true });

interface Failure { case: number; ops: string[]; seedIndex: number; kind: 'untyped-error' | 'slow'; error: string; ms: number; file?: string }

const given = await target.seeds(work);
const seeds = [...given.valid, ...given.valid, ...(given.hostile ?? [])]; // valid files drawn more often
const r = rng(Number(seedArg ?? 1));
const deadline = Date.now() + Number(secondsArg ?? 20) * 1000;
// A fixed seed plus a case cap makes a run the same sequence on any machine: a faster one stops
// at the cap instead of reaching cases nobody has checked (FUZZ_MAX_CASES raises it for long runs).
const maxCases = Math.max(1, Number(process.env.FUZZ_MAX_CASES ?? 5000));
const outcomes: Record<string, number> = {};
const failures: Failure[] = [];
let cases = 0, maxMs = 0, seedsOk = 0;

// The seeds themselves must load (otherwise the fuzzer only tests the error path).
for (const s of given.valid) { try { await target.run(s, work); seedsOk++; } catch (e) { console.error(`a valid seed failed: ${(e as Error).message}`); } }
if (typeof global.gc === 'function') global.gc();
const rss0 = process.memoryUsage().rss;
let rssMax = rss0;

while (Date.now() < deadline && cases < maxCases) {
  const seedIndex = Math.floor(r() * seeds.length);
  const m = mutate(seeds[seedIndex]!, r);
  const ops = m.ops;
  const bytes = target.fixup ? target.fixup(m.bytes, r) : m.bytes;
  writeFileSync(join(work, 'current.bin'), bytes);
  const t0 = performance.now();
  let outcome: string;
  try {
    await target.run(bytes, work);
    outcome = 'ok';
  } catch (e) {
    const err = e as Error & { code?: unknown };
    const ename = err?.name ?? typeof e;
    outcome = target.typed.includes(ename) ? `${ename}:${String(err.code ?? '')}` : `UNTYPED ${ename}`;
    if (!target.typed.includes(ename) && failures.length < 50) {
      const file = join(work, `failure-${cases}.bin`);
      writeFileSync(file, bytes);
      failures.push({ case: cases, ops, seedIndex, kind: 'untyped-error', error: `${ename}: ${String(err?.message ?? e).split('\n')[0]!.slice(0, 300)}`, ms: 0, file });
    }
  }
  const ms = performance.now() - t0;
  if (ms > maxMs) maxMs = ms;
  if (ms > target.caseMs && failures.length < 50) {
    const file = join(work, `slow-${cases}.bin`);
    writeFileSync(file, bytes);
    failures.push({ case: cases, ops, seedIndex, kind: 'slow', error: outcome, ms, file });
  }
  outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  cases++;
  if ((cases & 63) === 0) rssMax = Math.max(rssMax, process.memoryUsage().rss);
}
rssMax = Math.max(rssMax, process.memoryUsage().rss);
process.stdout.write(`${JSON.stringify({ target: name, cases, seeds: given.valid.length, hostileSeeds: given.hostile?.length ?? 0, seedsOk, outcomes, failures, maxMs: Math.round(maxMs), rssStartMB: Math.round(rss0 / 2 ** 20), rssMaxMB: Math.round(rssMax / 2 ** 20) })}\n`);
process.exit(0);
