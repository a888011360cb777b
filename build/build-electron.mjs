#!/usr/bin/env node
// Bundles the Electron side with esbuild into dist/electron:
//   main.cjs         main process (electron/main.ts + the core it uses)
//   preload.cjs      sandboxed preload (self-contained: sandboxed preloads may require only 'electron')
//   open-worker.js   worker thread that builds/parses/analyses models off the main thread
//   project-worker.js worker thread that runs embedding projections (PCA / t-SNE / UMAP) off the main thread
//   worker.js        the inference runtime's worker thread (core/runtime/worker.ts)
// npm packages stay external (native onnxruntime-node, sharp, better-sqlite3 cannot be bundled);
// electron-builder ships node_modules. import.meta.url is mapped to each bundle's own file URL so
// core code that locates files relative to itself keeps working in CommonJS.
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'electron');
mkdirSync(out, { recursive: true });
// The root package.json says "type": "module"; these bundles are CommonJS.
writeFileSync(join(out, 'package.json'), JSON.stringify({ type: 'commonjs' }, null, 2) + '\n');

const nodeCommon = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  packages: 'external',
  define: { 'import.meta.url': '__receptive_meta_url' },
  banner: { js: 'const __receptive_meta_url = require("node:url").pathToFileURL(__filename).href;' },
};

const started = performance.now();
await Promise.all([
  build({ ...nodeCommon, entryPoints: [join(root, 'electron', 'main.ts')], outfile: join(out, 'main.cjs') }),
  build({ ...nodeCommon, entryPoints: [join(root, 'electron', 'api', 'open-worker.ts')], outfile: join(out, 'open-worker.js') }),
  build({ ...nodeCommon, entryPoints: [join(root, 'electron', 'api', 'project-worker.ts')], outfile: join(out, 'project-worker.js') }),
  build({ ...nodeCommon, entryPoints: [join(root, 'core', 'runtime', 'worker.ts')], outfile: join(out, 'worker.js') }),
  build({
    entryPoints: [join(root, 'electron', 'preload.ts')],
    outfile: join(out, 'preload.cjs'),
    bundle: true,
    platform: 'browser',
    format: 'cjs',
    target: 'chrome130',
    sourcemap: 'linked',
    logLevel: 'warning',
    external: ['electron'],
  }),
]);
console.log(`build-electron: dist/electron built in ${Math.round(performance.now() - started)} ms`);
