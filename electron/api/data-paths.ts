// The browser host's "your data" folder (`--data DIR`): the data sets directly under it — folders of
// images (class sub-folders = labels), CSV lists and IDX image files — so a page without a native
// file dialog can still pick the user's own data. Only what is listed here becomes readable.
import { closeSync, lstatSync, openSync, opendirSync, readSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { extname, isAbsolute, join, relative, sep } from 'node:path';
import type { DataPathEntry, DataPathList } from './contract.ts';

/** Most entries one listing returns (the UI shows them in one select). */
export const MAX_DATA_ENTRIES = 200;
/** Directory entries one listing reads in all (bounds its time): folders past this are not offered. */
const MAX_SCAN = 1_000_000;
/** CSV files larger than this are listed without a row count. */
const MAX_CSV_COUNT_BYTES = 16 * 1024 ** 2;
const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.webp', '.bmp', '.gif']);

/** True when `p` is `root` itself or below it (both real paths). */
export function isInside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** The real path of `p` if it stays inside `root`, else null (a symlink out, or gone). */
function realInside(root: string, p: string): string | null {
  try {
    const real = realpathSync(p);
    return isInside(root, real) ? real : null;
  } catch { return null; }
}

/** What is left of the listing's read budget (directory entries). */
interface Budget { left: number }

/** A folder's entries, read one at a time so a huge folder costs at most the budget; null when the budget ran out. */
function readDir(dir: string, budget: Budget): Dirent[] | null {
  const out: Dirent[] = [];
  let d;
  try { d = opendirSync(dir); } catch { return out; }
  try {
    for (let e = d.readSync(); e !== null; e = d.readSync()) {
      if (--budget.left < 0) return null;
      out.push(e);
    }
  } catch { /* unreadable: what was read */ } finally { d.closeSync(); }
  return out;
}

const isImage = (name: string) => IMAGE_EXT.has(extname(name).toLowerCase());

/**
 * Images in a folder; -1 when one is a symlink leading out of the root (some set loaders follow
 * symlinked files, so such a folder is not offered at all); null when the read budget ran out.
 */
function countImages(root: string, dir: string, budget: Budget): number | null {
  const entries = readDir(dir, budget);
  if (entries === null) return null;
  let n = 0;
  for (const e of entries) {
    if (e.name.startsWith('.') || !isImage(e.name)) continue;
    if (e.isFile()) n++;
    else if (e.isSymbolicLink()) { if (realInside(root, join(dir, e.name)) === null) return -1; n++; }
  }
  return n;
}

/**
 * A folder data set: class sub-folders holding images (labelled), or images directly in it
 * (unlabelled). Null when it holds no images or leads out of the root. Symlinked sub-folders are
 * not classes: the set loaders do not descend into them either.
 */
function folderEntry(root: string, dir: string, name: string, budget: Budget): DataPathEntry | null {
  const entries = readDir(dir, budget);
  // Out of budget: unchecked, so not offered (a later listing with fewer sets may show it).
  if (entries === null) return null;
  let items = 0, classes = 0;
  for (const e of entries) {
    if (e.name.startsWith('.') || !e.isDirectory()) continue;
    const n = countImages(root, join(dir, e.name), budget);
    if (n === null || n < 0) return null;
    if (n > 0) { items += n; classes++; }
  }
  if (classes > 0) return { path: dir, kind: 'folder', name, items, labelled: true };
  const flat = countImages(root, dir, budget);
  return flat !== null && flat > 0 ? { path: dir, kind: 'folder', name, items: flat, labelled: false } : null;
}

/** IDX image files only ([count, height, width] uint8: magic 0x00000803): label files are not data sets. */
function idxImageCount(file: string): number | null {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const head = Buffer.alloc(8);
    if (readSync(fd, head, 0, 8, 0) < 8) return null;
    if (head[0] !== 0 || head[1] !== 0 || head[2] !== 0x08 || head[3] !== 3) return null;
    return head.readUInt32BE(4);
  } catch { return null; } finally { if (fd !== undefined) closeSync(fd); }
}

/** Non-empty, non-comment rows, less a header row naming the path column. */
function csvRows(file: string, size: number): number | undefined {
  if (size > MAX_CSV_COUNT_BYTES) return undefined;
  try {
    const rows = readFileText(file).split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    const header = rows.length > 0 && /^"?(path|file|filename|image)"?\s*(,|$)/i.test(rows[0]!);
    return rows.length - (header ? 1 : 0);
  } catch { return undefined; }
}

function readFileText(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const size = statSync(file).size, buf = Buffer.alloc(size);
    let off = 0;
    while (off < size) { const n = readSync(fd, buf, off, size - off, off); if (n <= 0) break; off += n; }
    return buf.subarray(0, off).toString('utf8');
  } finally { closeSync(fd); }
}

/**
 * The data sets directly under `root` (one level), sorted by name, at most MAX_DATA_ENTRIES.
 * Entries whose real path leaves the root (symlinks out) are skipped, as are hidden entries.
 */
export function listDataDir(root: string): DataPathList & { root: string } {
  let realRoot: string;
  try { realRoot = realpathSync(root); } catch { return { root, entries: [] }; }
  const out: DataPathEntry[] = [];
  const budget: Budget = { left: MAX_SCAN };
  const names = (readDir(realRoot, budget) ?? []).filter((e) => !e.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of names) {
    if (out.length >= MAX_DATA_ENTRIES) break;
    const p = realInside(realRoot, join(realRoot, e.name));
    // A symlink to another set in the folder is that set: list it once.
    if (p === null || p === realRoot || out.some((o) => o.path === p)) continue;
    let st;
    try { st = lstatSync(p); } catch { continue; }
    if (st.isDirectory()) {
      const entry = folderEntry(realRoot, p, e.name, budget);
      if (entry) out.push(entry);
    } else if (st.isFile()) {
      if (extname(e.name).toLowerCase() === '.csv') {
        const items = csvRows(p, st.size);
        if (items === undefined || items > 0) out.push({ path: p, kind: 'csv', name: e.name, ...(items !== undefined ? { items } : {}) });
      } else {
        const items = idxImageCount(p);
        if (items !== null) out.push({ path: p, kind: 'idx', name: e.name, items });
      }
    }
  }
  return { root: realRoot, entries: out };
}
