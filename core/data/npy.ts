// NumPy .npy files (format 1.0/2.0/3.0), float32 in C order: what `np.save` writes and `np.load` reads.
// Other dtypes are converted to float32 on read (<f8, <f2 no; ints and uint8 yes) so data from
// Python opens without ceremony.
import { readFileSync, writeFileSync } from 'node:fs';

export interface NpyArray { dims: number[]; data: Float32Array }

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** Refuse headers/arrays beyond this (a damaged or hostile file). */
const MAX_HEADER = 1 << 20;
const MAX_VALUES = 2 ** 31 - 1;

/** Encode a float32 array as .npy bytes (format 1.0, little-endian '<f4', C order). */
export function encodeNpy(data: Float32Array, dims: readonly number[]): Uint8Array {
  const n = dims.reduce((a, b) => a * b, 1);
  if (n !== data.length) throw new Error(`npy: dims [${dims.join(', ')}] need ${n} values, got ${data.length}`);
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  // magic(6) + version(2) + length(2) + header + '\n' is a multiple of 64 (NumPy aligns to 64).
  const pad = 64 - ((10 + header.length + 1) % 64);
  header = header + ' '.repeat(pad % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1; out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) out.set(body, 10 + header.length);
  else { const dv = new DataView(out.buffer, 10 + header.length); data.forEach((v, i) => dv.setFloat32(i * 4, v, true)); }
  return out;
}

type Reader = (dv: DataView, offset: number) => number;
const READERS: Record<string, [number, Reader]> = {
  '<f4': [4, (d, o) => d.getFloat32(o, true)], '>f4': [4, (d, o) => d.getFloat32(o, false)],
  '<f8': [8, (d, o) => d.getFloat64(o, true)], '>f8': [8, (d, o) => d.getFloat64(o, false)],
  '|u1': [1, (d, o) => d.getUint8(o)], '|i1': [1, (d, o) => d.getInt8(o)],
  '<i4': [4, (d, o) => d.getInt32(o, true)], '<i8': [8, (d, o) => Number(d.getBigInt64(o, true))],
  '<u2': [2, (d, o) => d.getUint16(o, true)], '<i2': [2, (d, o) => d.getInt16(o, true)],
};

/** Decode .npy bytes to float32 (C order only). */
export function decodeNpy(bytes: Uint8Array, what = 'npy file'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) throw new Error(`${what}: not a NumPy .npy file (bad magic)`);
  const major = bytes[6]!;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let hlen: number, start: number;
  if (major === 1) { hlen = dv.getUint16(8, true); start = 10; }
  else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new Error(`${what}: truncated header`);
    hlen = dv.getUint32(8, true); start = 12;
  } else throw new Error(`${what}: .npy format version ${major} is not supported`);
  if (hlen > MAX_HEADER || start + hlen > bytes.length) throw new Error(`${what}: truncated or oversized header`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + hlen));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new Error(`${what}: malformed header`);
  if (fortran === 'True') throw new Error(`${what}: Fortran-order arrays are not supported (save with np.ascontiguousarray)`);
  const reader = READERS[descr];
  if (!reader) throw new Error(`${what}: dtype ${descr} is not supported (use float32)`);
  const dims = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${what}: bad shape (${shapeText})`);
    return n;
  });
  const n = dims.reduce((a, b) => a * b, 1);
  if (n > MAX_VALUES) throw new Error(`${what}: ${n} values is more than this reader accepts`);
  const [size, read] = reader;
  const off = start + hlen;
  if (bytes.length - off !== n * size) throw new Error(`${what}: shape (${dims.join(', ')}) needs ${n * size} data bytes, the file holds ${bytes.length - off}`);
  let data: Float32Array;
  if (descr === '<f4' && (bytes.byteOffset + off) % 4 === 0) data = new Float32Array(bytes.buffer.slice(bytes.byteOffset + off, bytes.byteOffset + off + n * 4));
  else {
    data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = read(dv, off + i * size);
  }
  return { dims, data };
}

export function writeNpy(path: string, data: Float32Array, dims: readonly number[]): void {
  writeFileSync(path, encodeNpy(data, dims));
}

export function readNpy(path: string): NpyArray {
  return decodeNpy(new Uint8Array(readFileSync(path)), path);
}
