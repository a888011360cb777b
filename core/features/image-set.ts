// Labelled image collections to embed: a shipped dataset (MNIST/Fashion-MNIST, train or test), an
// IDX image file (labels file found beside it or given), a folder whose sub-folders are the
// classes, or a CSV of `path,label` rows. Each set has a fingerprint for the feature cache.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { readIdx, loadMnist, labelsBeside, type LabelledImages } from '../data/idx.ts';
import { loadFashion, FASHION_CLASS_NAMES } from '../data/fashion.ts';

/**
 * `mnist-all` / `fashion-all`: the whole data set, 70,000 images (test first, then train).
 * `mnist-fashion-test`: MNIST test digits and Fashion-MNIST test images alternating, labelled by source (an autoencoder's normal vs anomalous data).
 */
export const BUILTIN_SETS = ['mnist-test', 'mnist-train', 'mnist-all', 'fashion-test', 'fashion-train', 'fashion-all', 'mnist-fashion-test'] as const;
export type BuiltinSetId = (typeof BUILTIN_SETS)[number];

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.webp', '.bmp', '.gif']);
/** Files scanned in a folder or rows read from a CSV: beyond this the user should pass --limit on a smaller set. */
export const MAX_ITEMS = 1_000_000;

export class ImageSetError extends Error {
  readonly code = 'invalid-request';
  constructor(message: string) { super(message); this.name = 'ImageSetError'; }
}

/** Items are either 8-bit gray planes of one size (IDX, shipped sets) or image files. */
export type ImageSet =
  | { kind: 'gray'; name: string; count: number; height: number; width: number; labels: Int32Array | null; classNames: string[] | null; fingerprint: string; pixels(i: number): Uint8Array }
  | { kind: 'files'; name: string; count: number; paths: string[]; labels: Int32Array | null; classNames: string[] | null; fingerprint: string };

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

function graySet(name: string, raw: LabelledImages, classNames: string[] | null, fingerprint: string, labels = true): ImageSet {
  const plane = raw.height * raw.width;
  return {
    kind: 'gray', name, count: raw.count, height: raw.height, width: raw.width,
    labels: labels ? Int32Array.from(raw.labels) : null, classNames, fingerprint,
    pixels: (i) => raw.images.subarray(i * plane, (i + 1) * plane),
  };
}

export function isBuiltinSet(s: string): s is BuiltinSetId {
  return (BUILTIN_SETS as readonly string[]).includes(s);
}

export const MIXED_CLASS_NAMES = ['MNIST digit', 'Fashion-MNIST'];

/** MNIST test and Fashion-MNIST test alternating: item 2k is MNIST #k, 2k+1 Fashion #k. */
function mixedTestSet(): ImageSet {
  const m = loadMnist('test'), f = loadFashion('test');
  const plane = m.height * m.width, count = Math.min(m.count, f.count) * 2;
  return {
    kind: 'gray', name: 'mnist-fashion-test', count, height: m.height, width: m.width,
    labels: Int32Array.from({ length: count }, (_, i) => i % 2), classNames: [...MIXED_CLASS_NAMES],
    fingerprint: `builtin:mnist-fashion-test:${count}`,
    pixels: (i) => { const k = i >> 1, src = i % 2 ? f.images : m.images; return src.subarray(k * plane, (k + 1) * plane); },
  };
}

/** Test then train as one set: item i < test.count is test #i, the rest train #(i − test.count). */
function wholeSet(id: 'mnist-all' | 'fashion-all'): ImageSet {
  const mnist = id === 'mnist-all';
  const test = mnist ? loadMnist('test') : loadFashion('test'), train = mnist ? loadMnist('train') : loadFashion('train');
  const plane = test.height * test.width, count = test.count + train.count;
  const labels = new Int32Array(count);
  labels.set(test.labels);
  labels.set(train.labels, test.count);
  return {
    kind: 'gray', name: id, count, height: test.height, width: test.width, labels,
    classNames: mnist ? DIGITS : [...FASHION_CLASS_NAMES], fingerprint: `builtin:${id}:${count}${mnist ? '' : ':interleaved'}`,
    pixels: (i) => (i < test.count ? test.images.subarray(i * plane, (i + 1) * plane) : train.images.subarray((i - test.count) * plane, (i - test.count + 1) * plane)),
  };
}

export function builtinSet(id: BuiltinSetId): ImageSet {
  if (id === 'mnist-fashion-test') return mixedTestSet();
  if (id === 'mnist-all' || id === 'fashion-all') return wholeSet(id);
  const [family, split] = id.split('-') as ['mnist' | 'fashion', 'train' | 'test'];
  if (family === 'mnist') { const raw = loadMnist(split); return graySet(id, raw, DIGITS, `builtin:${id}:${raw.count}`); }
  const raw = loadFashion(split);
  return graySet(id, raw, [...FASHION_CLASS_NAMES], `builtin:${id}:${raw.count}:interleaved`);
}

function fileStamp(h: ReturnType<typeof createHash>, p: string): void {
  const st = statSync(p);
  h.update(`${p}\0${st.size}\0${st.mtimeMs}\n`);
}

export { labelsBeside } from '../data/idx.ts';

function idxSet(path: string, labelsPath?: string): ImageSet {
  const img = readIdx(path);
  if (img.dims.length !== 3) throw new ImageSetError(`${path}: an IDX image file holds [count, height, width] uint8; this one has dims [${img.dims.join('×')}]`);
  const lp = labelsPath ?? labelsBeside(path);
  let labels: Uint8Array | null = null;
  if (lp) {
    const lab = readIdx(lp);
    if (lab.dims.length !== 1 || lab.dims[0] !== img.dims[0]) throw new ImageSetError(`${lp}: expected ${img.dims[0]} labels (one per image in ${basename(path)}), found dims [${lab.dims.join('×')}]`);
    labels = lab.data;
  }
  const h = createHash('sha256');
  h.update(img.data); if (labels) h.update(labels);
  const raw: LabelledImages = { images: img.data, labels: labels ?? new Uint8Array(img.dims[0]!), count: img.dims[0]!, height: img.dims[1]!, width: img.dims[2]! };
  const max = labels ? labels.reduce((m, v) => Math.max(m, v), 0) : 0;
  return graySet(basename(path), raw, labels ? Array.from({ length: max + 1 }, (_, i) => String(i)) : null, `idx:${h.digest('hex')}`, labels !== null);
}

function folderSet(dir: string): ImageSet {
  const classes = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const paths: string[] = [], labels: number[] = [];
  const h = createHash('sha256');
  const scan = (folder: string, label: number) => {
    for (const e of readdirSync(folder, { withFileTypes: true }).filter((x) => x.isFile() && IMAGE_EXT.has(extname(x.name).toLowerCase())).map((x) => x.name).sort()) {
      if (paths.length >= MAX_ITEMS) throw new ImageSetError(`${dir} holds more than ${MAX_ITEMS} images; embed a sub-folder or a CSV list instead`);
      const p = join(folder, e);
      paths.push(p); labels.push(label); fileStamp(h, p);
    }
  };
  if (classes.length) classes.forEach((c, i) => scan(join(dir, c), i));
  else scan(dir, -1);
  if (!paths.length) throw new ImageSetError(`${dir} has no images (${[...IMAGE_EXT].join(', ')}) in it${classes.length ? ' or its sub-folders' : ''}; put each class's images in a sub-folder named for the class`);
  return { kind: 'files', name: basename(dir), count: paths.length, paths, labels: classes.length ? Int32Array.from(labels) : null, classNames: classes.length ? classes : null, fingerprint: `folder:${h.digest('hex')}` };
}

/** CSV rows `path,label` (a header row is skipped when its second field is not a number/name pair). Paths resolve against the CSV's folder. */
function csvSet(file: string): ImageSet {
  const rows = readFileSync(file, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  if (!rows.length) throw new ImageSetError(`${file} is empty; write one "path,label" row per image`);
  const first = rows[0]!.split(',').map((s) => s.trim().toLowerCase());
  if (first[0] === 'path' || first[0] === 'file' || first[0] === 'filename') rows.shift();
  if (rows.length > MAX_ITEMS) throw new ImageSetError(`${file} lists more than ${MAX_ITEMS} images`);
  const paths: string[] = [], names: string[] = [];
  const h = createHash('sha256');
  rows.forEach((r, i) => {
    const [p, label] = r.split(',').map((s) => s.trim().replace(/^"(.*)"$/, '$1'));
    if (!p) throw new ImageSetError(`${file}: row ${i + 1} has no path`);
    const full = isAbsolute(p) ? p : resolve(dirname(file), p);
    if (!existsSync(full)) throw new ImageSetError(`${file}: row ${i + 1}: no file ${full}`);
    paths.push(full); names.push(label ?? ''); fileStamp(h, full);
  });
  const hasLabels = names.every((n) => n !== '');
  let classNames: string[] | null = null, labels: Int32Array | null = null;
  if (hasLabels) {
    // Integer labels keep their values; names become classes in sorted order.
    if (names.every((n) => /^\d+$/.test(n))) {
      labels = Int32Array.from(names.map(Number));
      classNames = Array.from({ length: Math.max(...labels) + 1 }, (_, i) => String(i));
    } else {
      classNames = [...new Set(names)].sort();
      labels = Int32Array.from(names.map((n) => classNames!.indexOf(n)));
    }
  }
  return { kind: 'files', name: basename(file), count: paths.length, paths, labels, classNames, fingerprint: `csv:${h.digest('hex')}` };
}

/** A set from a CLI/API argument: a builtin id, an IDX file, a folder, or a .csv list. */
export function openImageSet(spec: string, opts: { labels?: string } = {}): ImageSet {
  if (isBuiltinSet(spec)) return builtinSet(spec);
  if (!existsSync(spec)) throw new ImageSetError(`no dataset "${spec}": give ${BUILTIN_SETS.join(', ')}, a folder of class sub-folders, an IDX image file, or a CSV of path,label rows`);
  const st = statSync(spec);
  const isCsv = extname(spec).toLowerCase() === '.csv';
  if (opts.labels && (st.isDirectory() || isCsv)) throw new ImageSetError(`a labels file applies to IDX image files only; ${st.isDirectory() ? 'a folder takes its labels from its sub-folders' : 'a CSV lists each label beside its path'}`);
  if (st.isDirectory()) return folderSet(spec);
  if (isCsv) return csvSet(spec);
  const head = readFileSync(spec).subarray(0, 4);
  if (head[0] === 0 && head[1] === 0 && head[2] === 0x08) return idxSet(spec, opts.labels);
  throw new ImageSetError(`${spec} is not a folder, a .csv list or an IDX (ubyte) image file`);
}

/** The first `limit` items (sets are embedded as a prefix so the cache key stays simple). */
export function limitSet(set: ImageSet, limit: number | undefined): ImageSet {
  if (limit === undefined || limit >= set.count) return set;
  if (!Number.isInteger(limit) || limit < 1) throw new ImageSetError(`limit must be a positive integer (got ${limit})`);
  const labels = set.labels ? set.labels.subarray(0, limit) : null;
  const fingerprint = `${set.fingerprint}:first${limit}`;
  return set.kind === 'gray' ? { ...set, count: limit, labels, fingerprint } : { ...set, count: limit, paths: set.paths.slice(0, limit), labels, fingerprint };
}
