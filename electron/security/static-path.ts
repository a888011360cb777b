// Maps a URL path to a file inside one root directory, or null. Shared by the browser host's
// static server and Electron's receptive:// protocol, so both refuse traversal the same way.
import { realpathSync, statSync } from 'node:fs';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export function mimeOf(file: string): string {
  return MIME[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file under `root` that `urlPath` names ('/' → index.html), or null when the path is
 * malformed, escapes the root (.., encoded separators, absolute, symlinks out), or is not a file.
 */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  if (typeof urlPath !== 'string' || urlPath.length > 2048 || !urlPath.startsWith('/')) return null;
  let decoded: string;
  try { decoded = decodeURIComponent(urlPath); } catch { return null; }
  // Encoded separators and NULs have no business in an asset name; refusing them outright is
  // simpler than reasoning about how each platform would interpret them.
  if (decoded.includes('\0') || decoded.includes('\\') || /%2f|%5c/i.test(urlPath)) return null;
  const segments = decoded.split('/').filter((s) => s.length > 0);
  if (segments.some((s) => s === '..' || s === '.' || s.includes(':'))) return null;
  const rel = segments.length === 0 ? 'index.html' : segments.join(sep);
  let rootReal: string;
  try { rootReal = realpathSync(resolve(root)); } catch { return null; }
  const candidate = resolve(rootReal, rel);
  if (!inside(rootReal, candidate)) return null;
  let real: string;
  try { real = realpathSync(candidate); } catch { return null; }
  // A symlink inside the root must not lead outside it.
  if (!inside(rootReal, real)) return null;
  try { if (!statSync(real).isFile()) return null; } catch { return null; }
  return real;
}

function inside(root: string, p: string): boolean {
  const r = relative(root, p);
  return r !== '' && !r.startsWith('..') && !isAbsolute(r);
}
