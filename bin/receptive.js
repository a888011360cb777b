#!/usr/bin/env node
// The `receptive` command. The CLI is TypeScript run from source: register tsx, then hand over.
import { register } from 'tsx/esm/api';

// `receptive inspect big.onnx | head`: a closed pipe ends the output, it is not an error.
for (const s of [process.stdout, process.stderr]) {
  s.on('error', (e) => { if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); else throw e; });
}

register();
const { main } = await import('../core/cli/main.ts');
// exitCode (not exit()) lets a large --json document drain into a pipe first.
process.exitCode = await main(process.argv.slice(2));
