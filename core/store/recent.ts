// The recently opened workspaces, newest first, in a small JSON file in the user's config folder
// (path injectable for tests). Written atomically; a damaged or foreign file reads as an empty list.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const MAX_RECENT = 20;

export interface RecentEntry { path: string; openedAt: string }

/** <config>/receptive/recent-workspaces.json: XDG_CONFIG_HOME, %APPDATA% or ~/Library/Application Support. */
export function defaultRecentFile(env: Record<string, string | undefined> = process.env, platform = process.platform): string {
  const base = platform === 'win32' ? (env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'))
    : platform === 'darwin' ? join(homedir(), 'Library', 'Application Support')
      : (env.XDG_CONFIG_HOME || join(homedir(), '.config'));
  return join(base, 'receptive', 'recent-workspaces.json');
}

export class RecentWorkspaces {
  constructor(readonly file: string = defaultRecentFile(), private readonly max = MAX_RECENT) {}

  list(): RecentEntry[] {
    let raw: unknown;
    try { raw = JSON.parse(readFileSync(this.file, 'utf8')); } catch { return []; }
    const items = (raw as { workspaces?: unknown })?.workspaces;
    if (!Array.isArray(items)) return [];
    return items.filter((e): e is RecentEntry => typeof e?.path === 'string' && e.path.length > 0 && e.path.length <= 4096 && typeof e?.openedAt === 'string')
      .slice(0, this.max).map((e) => ({ path: e.path, openedAt: e.openedAt }));
  }

  has(path: string): boolean {
    const p = resolve(path);
    return this.list().some((e) => e.path === p);
  }

  /** Move (or add) a workspace to the top. Failing to save the list never fails the open itself. */
  add(path: string, now = new Date()): RecentEntry[] {
    const p = resolve(path);
    const next = [{ path: p, openedAt: now.toISOString() }, ...this.list().filter((e) => e.path !== p)].slice(0, this.max);
    this.save(next);
    return next;
  }

  remove(path: string): RecentEntry[] {
    const p = resolve(path);
    const next = this.list().filter((e) => e.path !== p);
    this.save(next);
    return next;
  }

  private save(list: RecentEntry[]): void {
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.tmp`;
      writeFileSync(tmp, JSON.stringify({ version: 1, workspaces: list }, null, 1));
      renameSync(tmp, this.file);
    } catch { /* a read-only config folder: the list is a convenience, not data */ }
  }
}
