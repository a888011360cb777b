// Worker threads started from TypeScript source (dev, tests, CLI via tsx) need tsx registered inside
// the worker: `execArgv: ['--import', 'tsx']` does not reach worker threads on Node 20. This builds
// the small eval bootstrap that registers tsx, then imports the entry. Bundled builds start their
// .js entries directly and never call this.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The ESM build of tsx's API (its CJS build cannot register hooks in a worker on Node 20). */
export function tsxEsmApiUrl(from: string): string {
  const pkgPath = createRequire(from).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports?: Record<string, { import?: { default?: string } | string }> };
  const imp = pkg.exports?.['./esm/api']?.import;
  const rel = typeof imp === 'string' ? imp : imp?.default ?? './dist/esm/api/index.mjs';
  return pathToFileURL(join(dirname(pkgPath), rel)).href;
}

/**
 * Source for `new Worker(src, { eval: true })`: register tsx, import `entryHref`. A failure exits
 * with code 71, after posting `{ bootError }` to the parent when `postBootError` is set.
 */
export function tsWorkerBootstrap(entryHref: string, from: string, postBootError = false): string {
  const onError = postBootError
    ? `(e) => { require('node:worker_threads').parentPort.postMessage({ bootError: String((e && e.message) || e) }); process.exit(71); }`
    : '(e) => { console.error(e); process.exit(71); }';
  return `import(${JSON.stringify(tsxEsmApiUrl(from))}).then((m) => { (m.register ?? m.default.register)(); return import(${JSON.stringify(entryHref)}); })`
    + `.catch(${onError});`;
}
