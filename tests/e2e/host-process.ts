// Builds the renderer and runs the browser host as a child process, the way a user starts it
// (`electron/browser-main.ts --port 0`), reading the page URL it prints.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function buildRenderer(): void {
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`renderer build failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
}

export interface HostProcess { url: string; stop(): Promise<void> }

/** `args`: more browser-main options (e.g. `['--data', dir]`). */
export async function startHost(timeoutMs = 60_000, args: string[] = []): Promise<HostProcess> {
  // node --import tsx keeps it one process, so stopping it by pid stops everything it started.
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'electron', 'browser-main.ts'), '--port', '0', ...args], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`the browser host printed no URL within ${timeoutMs} ms:\n${out}\n${err}`)); }, timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]!); }
    });
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the browser host exited (code ${code}) before printing its URL:\n${out}\n${err}`)); });
  });
  child.removeAllListeners('exit');
  return {
    url,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => { clearTimeout(t); resolve(); });
      child.kill('SIGTERM');
    }),
  };
}
