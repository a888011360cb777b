// Child process for the kill test: gives verdicts as fast as it can and prints "ack <case> <n>"
// after each giveVerdict returns (i.e. after the commit).
import { writeSync } from 'node:fs';
import { Workspace } from '../../core/store/workspace.ts';

const [file, startArg] = process.argv.slice(2);
const ws = Workspace.open(file!);
const cases = ws.listCases();
let n = Number(startArg ?? 0);
writeSync(1, 'ready\n');
for (;;) {
  const c = cases[n % cases.length]!;
  ws.giveVerdict({ caseId: c.id, reviewer: 'kill-test', verdict: `v${n}`, note: `note ${n}` });
  writeSync(1, `ack ${n}\n`);
  n++;
}
