// receptive://app/<path> → a file inside the renderer directory, or null. Pure, so the
// traversal rules are tested without Electron; main.ts only turns the answer into a Response.
import { APP_HOST, APP_SCHEME } from './sender.ts';
import { resolveStaticPath } from './static-path.ts';

export function appFileForUrl(rendererDir: string, url: string): string | null {
  let u: URL;
  try { u = new URL(url); } catch { return null; }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST || u.username || u.password) return null;
  // URL parsing already folds "/a/../b"; resolveStaticPath also refuses encoded separators/dots.
  return resolveStaticPath(rendererDir, u.pathname);
}
