// Image sets to score: shipped datasets (mnist-test, fashion-test, mnist-train, fashion-train), IDX image
// files, folders (one subfolder per class, or a flat folder), CSV files of path,label — and
// concatenations "A+B" whose items are labelled by part. Items are read per batch, as model-space
// NCHW floats, so a folder of large photos never sits in memory at once.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import type { Preprocessing } from '../data/types.ts';
import { labelsBeside, loadMnist, readIdx, type LabelledImages } from '../data/idx.ts';
import { FASHION_CLASS_NAMES, loadFashion } from '../data/fashion.ts';
import { loadImage, toTensor } from '../data/image.ts';
import { grayToInput } from '../activations/input.ts';

export interface ImageSetSource {
  name: string;
  count: number;
  /** Per-item label (class folder, dataset part, CSV label), when the set has labels. */
  labels?: string[];
  itemName(i: number): string;
  /** Items [from, to) as one NCHW batch in model space. */
  read(from: number, to: number): Promise<Float32Array>;
}

export const BUILTIN_SETS = ['mnist-test', 'fashion-test', 'mnist-train', 'fashion-train'] as const;
const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.webp', '.bmp', '.gif']);
const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

export class ImageSetError extends Error {
  readonly code = 'invalid-request';
  constructor(message: string) { super(message); this.name = 'ImageSetError'; }
}

/** uint8 gray images (N×H×W) → a set, resized through the image loader when the model size differs. */
export function bytesSet(name: string, d: LabelledImages, prep: Preprocessing, labelNames?: readonly string[], limit?: number): ImageSetSource {
  const count = Math.min(d.count, limit ?? Infinity);
  const plane = d.height * d.width;
  const per = prep.channels * prep.size[0] * prep.size[1];
  const same = d.height === prep.size[0] && d.width === prep.size[1];
  return {
    name, count,
    labels: labelNames ? Array.from(d.labels.subarray(0, count), (l) => labelNames[l] ?? String(l)) : Array.from(d.labels.subarray(0, count), String),
    itemName: (i) => `${name}:${i}`,
    async read(from, to) {
      const out = new Float32Array((to - from) * per);
      for (let i = from; i < to; i++) {
        const px = d.images.subarray(i * plane, (i + 1) * plane);
        const t = same ? toTensor(px, d.width, d.height, 1, 255, prep) : (await grayToInput(px, d.width, d.height, prep)).tensor;
        out.set(t.data, (i - from) * per);
      }
      return out;
    },
  };
}

function builtin(id: string, prep: Preprocessing, limit?: number): ImageSetSource {
  const [ds, split] = id.split('-') as ['mnist' | 'fashion', 'test' | 'train'];
  const d = ds === 'mnist' ? loadMnist(split) : loadFashion(split);
  return bytesSet(id, d, prep, ds === 'mnist' ? DIGITS : FASHION_CLASS_NAMES, limit);
}

function filesSet(name: string, files: string[], labels: string[] | undefined, prep: Preprocessing): ImageSetSource {
  if (files.length === 0) throw new ImageSetError(`${name}: no images found (PNG, JPEG, TIFF, WebP)`);
  const per = prep.channels * prep.size[0] * prep.size[1];
  return {
    name, count: files.length, labels,
    itemName: (i) => files[i]!,
    async read(from, to) {
      const out = new Float32Array((to - from) * per);
      for (let i = from; i < to; i++) out.set((await loadImage(files[i]!, prep)).tensor.data, (i - from) * per);
      return out;
    },
  };
}

function folderSet(dir: string, prep: Preprocessing, limit?: number): ImageSetSource {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  const subdirs = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.'));
  const isImage = (f: string) => IMAGE_EXT.has(extname(f).toLowerCase());
  const files: string[] = [], labels: string[] = [];
  if (subdirs.length > 0) {
    for (const s of subdirs) {
      for (const f of readdirSync(join(dir, s.name)).sort()) if (isImage(f)) { files.push(join(dir, s.name, f)); labels.push(s.name); }
    }
  } else {
    for (const e of entries) if (e.isFile() && isImage(e.name)) files.push(join(dir, e.name));
  }
  const n = Math.min(files.length, limit ?? Infinity);
  return filesSet(basename(dir), files.slice(0, n), subdirs.length > 0 ? labels.slice(0, n) : undefined, prep);
}

/** CSV: `path,label` per line (a header line naming "path" is skipped; relative paths are from the CSV's folder). */
function csvSet(path: string, prep: Preprocessing, limit?: number): ImageSetSource {
  const text = readFileSync(path, 'utf8');
  const files: string[] = [], labels: string[] = [];
  text.split(/\r?\n/).forEach((line, k) => {
    if (line.trim() === '') return;
    const cells = line.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
    if (k === 0 && /^(path|file|image)/i.test(cells[0] ?? '')) return;
    if (cells.length < 2 || cells[0] === '') throw new ImageSetError(`${path}, line ${k + 1}: expected "path,label"`);
    files.push(isAbsolute(cells[0]!) ? cells[0]! : resolve(dirname(path), cells[0]!));
    labels.push(cells[1]!);
  });
  const n = Math.min(files.length, limit ?? Infinity);
  return filesSet(basename(path), files.slice(0, n), labels.slice(0, n), prep);
}

function idxSet(path: string, prep: Preprocessing, givenLabels?: string, limit?: number): ImageSetSource {
  const img = readIdx(path);
  // The labels file beside the images (as MNIST ships) comes with the set the user chose, as in Embeddings.
  const labelsPath = givenLabels ?? labelsBeside(path);
  if (img.dims.length !== 3) throw new ImageSetError(`${path}: expected an IDX image file [count, height, width], got ${img.dims.length} dimensions`);
  const count = img.dims[0]!;
  let labels: Uint8Array = new Uint8Array(count);
  if (labelsPath) {
    const l = readIdx(labelsPath);
    if (l.dims.length !== 1 || l.dims[0] !== count) throw new ImageSetError(`${labelsPath}: expected ${count} labels to match ${path}`);
    labels = l.data;
  }
  const s = bytesSet(basename(path), { images: img.data, labels, count, height: img.dims[1]!, width: img.dims[2]! }, prep, undefined, limit);
  return labelsPath ? s : { ...s, labels: undefined };
}

/** Items of several sets one after another, labelled by the part they came from. */
export function concatSets(parts: ImageSetSource[], labelBy: 'part' | 'own' = 'part'): ImageSetSource {
  const starts: number[] = [];
  let total = 0;
  for (const p of parts) { starts.push(total); total += p.count; }
  const partOf = (i: number) => { let k = parts.length - 1; while (starts[k]! > i) k--; return k; };
  const labels = labelBy === 'part'
    ? parts.flatMap((p) => Array<string>(p.count).fill(p.name))
    : parts.every((p) => p.labels) ? parts.flatMap((p) => p.labels!) : undefined;
  return {
    name: parts.map((p) => p.name).join('+'), count: total, labels,
    itemName: (i) => { const k = partOf(i); return parts[k]!.itemName(i - starts[k]!); },
    async read(from, to) {
      const chunks: Float32Array[] = [];
      let i = from;
      while (i < to) {
        const k = partOf(i), s = starts[k]!, end = Math.min(to, s + parts[k]!.count);
        chunks.push(await parts[k]!.read(i - s, end - s));
        i = end;
      }
      if (chunks.length === 1) return chunks[0]!;
      const out = new Float32Array(chunks.reduce((a, c) => a + c.length, 0));
      let o = 0;
      for (const c of chunks) { out.set(c, o); o += c.length; }
      return out;
    },
  };
}

export interface SetSpecOptions { labelsPath?: string; limit?: number }

/**
 * One set from a spec: a shipped dataset id, an IDX file, a folder, a CSV file, or "A+B+…" (each part
 * labelled by its name, e.g. mnist-test+fashion-test with normal label mnist-test). `limit` caps each part.
 */
export function openImageSet(spec: string, prep: Preprocessing, opts: SetSpecOptions = {}): ImageSetSource {
  if (spec.includes('+') && !existsPath(spec)) {
    return concatSets(spec.split('+').map((s) => openImageSet(s, prep, { limit: opts.limit })), 'part');
  }
  if ((BUILTIN_SETS as readonly string[]).includes(spec)) return builtin(spec, prep, opts.limit);
  if (!existsPath(spec)) throw new ImageSetError(`"${spec}" is neither a file, a folder, nor a shipped set (${BUILTIN_SETS.join(', ')}); A+B concatenates sets`);
  const st = statSync(spec);
  if (st.isDirectory()) return folderSet(spec, prep, opts.limit);
  const lower = spec.toLowerCase();
  if (lower.endsWith('.csv')) return csvSet(spec, prep, opts.limit);
  if (lower.endsWith('.idx') || lower.includes('-ubyte') || lower.endsWith('.idx3')) return idxSet(spec, prep, opts.labelsPath, opts.limit);
  if (IMAGE_EXT.has(extname(lower))) return filesSet(basename(spec), [spec], undefined, prep);
  throw new ImageSetError(`${spec}: not a folder, CSV (path,label), IDX images file or image`);
}

function existsPath(p: string): boolean {
  try { statSync(p); return true; } catch { return false; }
}

/** A set over model-space images already in memory (n × C×H×W). */
export function floatSet(name: string, data: Float32Array, n: number, labels?: string[]): ImageSetSource {
  const per = data.length / n;
  if (!Number.isInteger(per) || n < 1) throw new ImageSetError(`${name}: ${data.length} values do not make ${n} images`);
  if (labels && labels.length !== n) throw new ImageSetError(`${name}: ${labels.length} labels for ${n} images`);
  return { name, count: n, labels, itemName: (i) => `${name}:${i}`, read: async (from, to) => data.slice(from * per, to * per) };
}
