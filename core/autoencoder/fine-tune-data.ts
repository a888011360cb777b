// Training images for fine-tuning an existing autoencoder: read at the model's own input size and
// channels through its preprocessing (the same resize/crop/gray→RGB path the workbench uses when it
// scores), then kept as uint8 N×C×H×W so core/train normalises per batch. Sources: the shipped MNIST /
// Fashion-MNIST (optionally some classes only; their test split is held out), an IDX image file, or a
// folder of images (recursive; the last tenth in sorted order is held out).
import { statSync } from 'node:fs';
import type { Preprocessing } from '../data/types.ts';
import { loadMnist, readIdx, type LabelledImages } from '../data/idx.ts';
import { loadFashion } from '../data/fashion.ts';
import { loadImage } from '../data/image.ts';
import { grayToInput } from '../activations/input.ts';
import type { ImageSet } from '../train/batches.ts';
import { listImageFiles, type TrainingData } from './train-ae.ts';

/** Bytes of training images held in memory at once (uint8 at the model's size). */
export const MAX_FINE_TUNE_BYTES = 1 << 30;
const MAX_FILES = 200_000;

export class FineTuneDataError extends Error {
  readonly code = 'invalid-request';
  constructor(message: string) { super(message); this.name = 'FineTuneDataError'; }
}

export interface FineTuneDataOptions {
  /** Keep only these class labels (shipped datasets, or an IDX set with a labels file). */
  classes?: readonly number[];
  /** Labels IDX file for an IDX image file (needed for `classes`). */
  labelsPath?: string;
  /** At most this many training images (the first ones in order). */
  limit?: number;
  /** Held-out images at most (default 2000). */
  testLimit?: number;
  signal?: AbortSignal;
  /** Called while images are decoded/resized (done, total). */
  onProgress?: (done: number, total: number) => void;
}

export interface FineTuneData extends TrainingData {
  /** What was done to fit the model (resizing, channel replication, class filter). */
  notes: string[];
  classes?: number[];
}

const describePrep = (p: Preprocessing) => `${p.channels === 1 ? 'gray' : 'RGB'} ${p.size[0]}×${p.size[1]}`;

function checkBudget(count: number, p: Preprocessing, what: string): void {
  const bytes = count * p.channels * p.size[0] * p.size[1];
  if (bytes > MAX_FINE_TUNE_BYTES) {
    throw new FineTuneDataError(`${what}: ${count} images at the model's ${describePrep(p)} need ${(bytes / 2 ** 20).toFixed(0)} MiB in memory, more than ${MAX_FINE_TUNE_BYTES / 2 ** 20} MiB; use fewer images (limit)`);
  }
}

/** Model-space floats (1×C×H×W) back to the uint8 pixels they came from. */
function toBytes(x: Float32Array, p: Preprocessing, out: Uint8Array, at: number): void {
  const plane = p.size[0] * p.size[1];
  for (let c = 0; c < p.channels; c++) {
    const m = p.mean[c] ?? p.mean[0] ?? 0, s = p.std[c] ?? p.std[0] ?? 1;
    for (let i = 0; i < plane; i++) {
      const v = Math.round((x[c * plane + i]! * s + m) * 255);
      out[at + c * plane + i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
}

/** Gray uint8 images (any size) → an ImageSet at the model's size/channels; resized through the preprocessing. */
async function fitGray(d: LabelledImages, idx: readonly number[] | Uint32Array, p: Preprocessing, o: FineTuneDataOptions): Promise<ImageSet> {
  const [h, w] = p.size, plane = h * w, per = p.channels * plane, n = idx.length;
  const images = new Uint8Array(n * per);
  const src = d.height * d.width;
  const same = d.height === h && d.width === w;
  for (let k = 0; k < n; k++) {
    const i = idx[k]!;
    const px = d.images.subarray(i * src, (i + 1) * src);
    if (same) {
      // Fast path: gray at the right size; RGB models get the gray plane replicated (as the image loader does).
      for (let c = 0; c < p.channels; c++) images.set(px, k * per + c * plane);
    } else {
      if (o.signal?.aborted) throw Object.assign(new Error('cancelled while reading images'), { name: 'AbortError' });
      toBytes((await grayToInput(px, d.width, d.height, p)).tensor.data, p, images, k * per);
      if ((k + 1) % 500 === 0) o.onProgress?.(k + 1, n);
    }
  }
  return { images, labels: Uint8Array.from(idx, (i) => d.labels[i]!), count: n, channels: p.channels, height: h, width: w };
}

function pick(d: LabelledImages, classes: readonly number[] | undefined, limit: number): number[] {
  const want = classes ? new Set(classes) : undefined;
  const out: number[] = [];
  for (let i = 0; i < d.count && out.length < limit; i++) if (!want || want.has(d.labels[i]!)) out.push(i);
  return out;
}

function sizeNotes(d: { height: number; width: number }, p: Preprocessing, what: string): string[] {
  const notes: string[] = [];
  if (d.height !== p.size[0] || d.width !== p.size[1]) notes.push(`${what} images are ${d.height}×${d.width}; resized to the model's ${p.size[0]}×${p.size[1]} (${p.resize}, as its preprocessing says)`);
  if (p.channels === 3) notes.push(`${what} images are gray; the gray plane is replicated into the model's 3 channels`);
  return notes;
}

function checkClasses(classes: readonly number[] | undefined): void {
  if (classes && (classes.length === 0 || classes.some((c) => !Number.isInteger(c) || c < 0 || c > 255))) {
    throw new FineTuneDataError(`classes must be label numbers from 0 to 255 (got ${classes.join(',')})`);
  }
}

async function shipped(name: 'mnist' | 'fashion', p: Preprocessing, o: FineTuneDataOptions): Promise<FineTuneData> {
  checkClasses(o.classes);
  const load = name === 'mnist' ? loadMnist : loadFashion;
  const tr = load('train'), te = load('test');
  const trIdx = pick(tr, o.classes, o.limit ?? Infinity), teIdx = pick(te, o.classes, o.testLimit ?? 2000);
  if (trIdx.length < 2) throw new FineTuneDataError(`${name}: only ${trIdx.length} training image(s) with class ${o.classes?.join(',')}; ${name} labels are 0–9`);
  checkBudget(trIdx.length + teIdx.length, p, name);
  const notes = sizeNotes(tr, p, name);
  const train = await fitGray(tr, trIdx, p, o);
  const test = teIdx.length ? await fitGray(te, teIdx, p, o) : undefined;
  const cls = o.classes ? ` (class ${o.classes.join(',')})` : '';
  if (o.classes) notes.push(`only class ${o.classes.join(', ')}: ${trIdx.length} training and ${teIdx.length} held-out test images`);
  return { train, test, size: p.size[0], source: `${name}${cls}`, notes, classes: o.classes ? [...o.classes] : undefined };
}

/** Split the last tenth off as the held-out set. */
function holdOut(all: ImageSet, testLimit: number): { train: ImageSet; test: ImageSet } {
  const nTest = Math.min(testLimit, Math.max(1, Math.floor(all.count / 10)));
  const nTrain = all.count - nTest, per = all.channels * all.height * all.width;
  return {
    train: { ...all, count: nTrain, images: all.images.subarray(0, nTrain * per), labels: all.labels?.subarray(0, nTrain) },
    test: { ...all, count: nTest, images: all.images.subarray(nTrain * per), labels: all.labels?.subarray(nTrain) },
  };
}

async function idxFile(path: string, p: Preprocessing, o: FineTuneDataOptions): Promise<FineTuneData> {
  checkClasses(o.classes);
  let img;
  try { img = readIdx(path); } catch (e) { throw new FineTuneDataError((e as Error).message); }
  if (img.dims.length !== 3) throw new FineTuneDataError(`${path}: expected an IDX image file [count, height, width], got ${img.dims.length} dimension(s)`);
  const [count, height, width] = img.dims as [number, number, number];
  let labels: Uint8Array = new Uint8Array(count);
  if (o.labelsPath) {
    const l = readIdx(o.labelsPath);
    if (l.dims.length !== 1 || l.dims[0] !== count) throw new FineTuneDataError(`${o.labelsPath}: expected ${count} labels to match ${path}`);
    labels = l.data;
  } else if (o.classes) {
    throw new FineTuneDataError(`${path}: choosing classes needs the labels IDX file too`);
  }
  const d: LabelledImages = { images: img.data, labels, count, height, width };
  const idx = pick(d, o.classes, Infinity);
  if (idx.length < 2) throw new FineTuneDataError(`${path}: ${idx.length} usable image(s); fine-tuning needs at least 2`);
  const use = o.limit ? idx.slice(0, Math.ceil(o.limit * 10 / 9)) : idx;
  checkBudget(use.length, p, path);
  const all = await fitGray(d, use, p, o);
  const notes = sizeNotes(d, p, path);
  return { ...holdOut(all, o.testLimit ?? 2000), size: p.size[0], source: path, notes, classes: o.classes ? [...o.classes] : undefined };
}

function listImages(dir: string): string[] {
  return listImageFiles(dir, MAX_FILES, (m) => new FineTuneDataError(`${m}; fine-tune on a smaller folder`));
}

async function folder(dir: string, p: Preprocessing, o: FineTuneDataOptions): Promise<FineTuneData> {
  if (o.classes) throw new FineTuneDataError('classes apply to mnist, fashion or a labelled IDX file; for a folder, point at the subfolder of the class you want');
  let files = listImages(dir);
  if (o.limit) files = files.slice(0, Math.ceil(o.limit * 10 / 9));
  if (files.length < 2) throw new FineTuneDataError(`${dir}: found ${files.length} image(s) (PNG, JPEG, TIFF, WebP, BMP); fine-tuning needs at least 2`);
  checkBudget(files.length, p, dir);
  const per = p.channels * p.size[0] * p.size[1];
  const images = new Uint8Array(files.length * per);
  let resized = 0;
  for (let i = 0; i < files.length; i++) {
    if (o.signal?.aborted) throw Object.assign(new Error('cancelled while reading images'), { name: 'AbortError' });
    let im;
    try { im = await loadImage(files[i]!, p); } catch (e) { throw new FineTuneDataError(`${files[i]}: cannot read this image (${(e as Error).message})`); }
    if (im.source.width !== p.size[1] || im.source.height !== p.size[0]) resized++;
    toBytes(im.tensor.data, p, images, i * per);
    if ((i + 1) % 200 === 0) o.onProgress?.(i + 1, files.length);
  }
  const notes = resized ? [`${resized} of ${files.length} images resized to the model's ${p.size[0]}×${p.size[1]} (${p.resize}, as its preprocessing says)`] : [];
  const all: ImageSet = { images, count: files.length, channels: p.channels, height: p.size[0], width: p.size[1] };
  return { ...holdOut(all, o.testLimit ?? 2000), size: p.size[0], source: dir, notes };
}

/** `mnist`, `fashion`, an IDX image file or a folder, as uint8 images at the model's input size. */
export async function loadFineTuneData(spec: string, prep: Preprocessing, o: FineTuneDataOptions = {}): Promise<FineTuneData> {
  if (spec === 'mnist' || spec === 'fashion') return shipped(spec, prep, o);
  let st;
  try { st = statSync(spec); } catch { throw new FineTuneDataError(`"${spec}" is not mnist, fashion, an IDX image file or a folder of images`); }
  if (st.isDirectory()) return folder(spec, prep, o);
  const lower = spec.toLowerCase();
  if (lower.endsWith('.idx') || lower.includes('-ubyte') || lower.endsWith('.idx3')) return idxFile(spec, prep, o);
  throw new FineTuneDataError(`"${spec}" is a file but not an IDX image file; give a folder of images, an IDX file, mnist or fashion`);
}
