#!/usr/bin/env node
// One setup command for a connected workstation and for a machine that reaches only the npm
// registry. It installs the dependencies with the two downloading install scripts tamed
// (Electron's binary from GitHub, onnxruntime-node's CUDA libraries from NuGet), then tries the
// optional parts separately and says plainly what it skipped and how to add it later.
// Usage: npm run setup [-- --with-cuda] [-- --no-electron]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const ci = args.has('--ci') || process.env.CI === 'true';
const withCuda = args.has('--with-cuda');
const tryElectron = !args.has('--no-electron') && !ci;
const report = [];
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(cmd, argv, env = {}, timeoutMs = 0) {
  const r = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env }, timeout: timeoutMs || undefined });
  return r.status === 0;
}

// 1. Dependencies. Electron's download is always deferred to step 2 so that a failed download
//    cannot fail the whole install; onnxruntime-node keeps its bundled CPU (and WebGPU) build.
const lock = existsSync(join(root, 'package-lock.json'));
console.log(`receptive setup: installing dependencies (${lock ? 'npm ci' : 'npm install'})…`);
const ok = run(npm, [lock ? 'ci' : 'install', '--no-audit', '--no-fund'], {
  ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
  ONNXRUNTIME_NODE_INSTALL: withCuda ? 'cuda12' : 'skip',
});
if (!ok) {
  console.error('receptive setup: npm could not install the dependencies (see above). Check that the npm registry is reachable, then run `npm run setup` again.');
  process.exit(1);
}
report.push(['onnxruntime-node (CPU, WebGPU)', 'installed', '']);
report.push(withCuda
  ? ['onnxruntime-node CUDA 12 provider', 'installed', 'downloaded from NuGet']
  : ['onnxruntime-node CUDA 12 provider', 'skipped', 'needs NuGet and CUDA 12: `npm run setup -- --with-cuda`']);

// 2. Electron's binary (optional: without it `npm start` serves the same UI in a browser).
const electronDir = join(root, 'node_modules', 'electron');
const electronPresent = () => {
  try {
    const p = readFileSync(join(electronDir, 'path.txt'), 'utf8').trim();
    return existsSync(join(electronDir, 'dist', p));
  } catch { return false; }
};
if (!electronPresent() && tryElectron) {
  console.log('receptive setup: fetching Electron\'s binary (GitHub)…');
  run(process.execPath, [join(electronDir, 'install.js')], { ELECTRON_SKIP_BINARY_DOWNLOAD: '' }, 120_000);
}
report.push(electronPresent()
  ? ['Electron binary', 'installed', '`npm start` opens the desktop window']
  : ['Electron binary', 'skipped', `${ci ? 'not needed in CI' : 'download failed (no GitHub access?)'}; \`npm start\` uses the browser host. Add later: node node_modules/electron/install.js`]);

// 3. Chromium for the end-to-end tests (Playwright cannot download its own browsers here).
const chromium = process.env.RECEPTIVE_CHROMIUM ?? '/usr/bin/chromium';
report.push(existsSync(chromium)
  ? ['Chromium for e2e tests', 'found', chromium]
  : ['Chromium for e2e tests', 'missing', 'Debian/Ubuntu: apt-get install -y chromium (or set RECEPTIVE_CHROMIUM)']);

// 4. The renderer bundle served by both hosts.
if (existsSync(join(root, 'renderer', 'vite.config.ts'))) {
  console.log('receptive setup: building the renderer…');
  const built = run(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn']);
  report.push(['renderer bundle (dist/renderer)', built ? 'built' : 'FAILED', built ? '' : 'run `npm run build:renderer` to see why']);
}

const w = Math.max(...report.map((r) => r[0].length));
console.log('\nreceptive setup summary:');
for (const [what, state, note] of report) console.log(`  ${what.padEnd(w)}  ${state.padEnd(9)}  ${note}`);
