// A throwaway renderer directory with a secret next to it (and a symlink pointing at the secret)
// to prove that static serving never leaves the root.
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SECRET = 'TOP-SECRET-3f9c1a';
export const INDEX_HTML = '<!doctype html><html><head><script type="module" src="/assets/app.js"></script></head><body>receptive-test-page</body></html>';

export interface RendererFixture { base: string; root: string; secretPath: string; cleanup(): void }

export function makeRendererFixture(): RendererFixture {
  const base = mkdtempSync(join(tmpdir(), 'receptive-host-'));
  const root = join(base, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), INDEX_HTML);
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log("app");\n');
  writeFileSync(join(root, 'assets', 'style.css'), 'body{}\n');
  const secretPath = join(base, 'secret.txt');
  writeFileSync(secretPath, SECRET);
  // A sibling directory whose name starts like the root: a naive startsWith check would pass it.
  mkdirSync(join(base, 'renderer-evil'));
  writeFileSync(join(base, 'renderer-evil', 'x.txt'), SECRET);
  symlinkSync(secretPath, join(root, 'assets', 'link.txt'));
  return { base, root, secretPath, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}
