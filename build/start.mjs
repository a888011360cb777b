#!/usr/bin/env node
// `npm start`: the desktop window when Electron's binary is installed, otherwise the same UI
// served by the browser host on 127.0.0.1. Builds what is missing or stale first.
// Usage: npm start [-- --browser] [-- --port N]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const forceBrowser = args.includes('--browser');
const hostArgs = args.filter((a) => a !== '--browser');
const bin = (pkg, rel) => join(root, 'node_modules', pkg, rel);

/** The Electron executable, or the reason there is none. */
function electronBinary() {
  try {
    const p = createRequire(join(root, 'package.json'))('electron');
    if (typeof p === 'string' && existsSync(p)) return { path: p };
    return { reason: `Electron's binary is missing at ${p}` };
  } catch {
    return { reason: "Electron's binary is not installed (its download needs GitHub)" };
  }
}

/** Newest modification time under the given files/directories (skipping node_modules). */
function newest(paths) {
  let t = 0;
  const walk = (p) => {
    let st;
    try { st = statSync(p); } catch { return; }
    if (st.isDirectory()) {
      for (const e of readdirSync(p)) if (e !== 'node_modules') walk(join(p, e));
    } else t = Math.max(t, st.mtimeMs);
  };
  for (const p of paths) walk(p);
  return t;
}

function run(what, argv) {
  console.log(`receptive: ${what}…`);
  const r = spawnSync(process.execPath, argv, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`receptive: ${what} failed (see above). Fix the error, then run \`npm start\` again.`);
    process.exit(r.status ?? 1);
  }
}

function ensureRenderer() {
  const index = join(root, 'dist', 'renderer', 'index.html');
  const config = join(root, 'renderer', 'vite.config.ts');
  if (!existsSync(config)) {
    if (!existsSync(index)) console.warn('receptive: renderer/vite.config.ts is missing, so the UI cannot be built; the API will still run.');
    return;
  }
  const sources = [join(root, 'renderer'), join(root, 'electron', 'api', 'contract.ts'), join(root, 'electron', 'api', 'methods.ts'), join(root, 'electron', 'api', 'wire.ts')];
  const built = existsSync(index) ? statSync(index).mtimeMs : 0;
  if (built === 0 || newest(sources) > built) {
    run(built === 0 ? 'building the renderer (first start)' : 'rebuilding the renderer (sources changed)',
      [bin('vite', 'bin/vite.js'), 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn']);
  }
}

/** Run a child in the foreground: pass Ctrl-C/TERM on, exit with its code. */
function foreground(cmd, argv, env = process.env) {
  const child = spawn(cmd, argv, { cwd: root, stdio: 'inherit', env });
  const forward = (sig) => () => { if (child.exitCode === null) child.kill(sig); };
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
  child.on('error', (e) => { console.error(`receptive: could not start ${cmd}: ${e.message}`); process.exit(1); });
}

ensureRenderer();
const electron = forceBrowser ? { reason: 'browser host requested (--browser)' } : electronBinary();
if (electron.path) {
  run('building the Electron bundles', [join(root, 'build', 'build-electron.mjs')]);
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE; // would turn the app into a plain Node process
  foreground(electron.path, [root, ...hostArgs], env);
} else {
  console.log(`receptive: ${electron.reason}; using the browser host.`);
  if (!forceBrowser) console.log('receptive: to add the desktop window later: node node_modules/electron/install.js');
  foreground(process.execPath, [bin('tsx', 'dist/cli.mjs'), join(root, 'electron', 'browser-main.ts'), ...hostArgs]);
}
