// Binary framing for the browser host's WebSocket (Electron IPC uses structured clone instead).
// A frame is: u32 LE header length | UTF-8 JSON header | padding to 8 | binary chunks (8-aligned).
// Typed arrays anywhere in the value are lifted out into chunks and replaced by
// { $bin: index, type } markers, so tensors never travel as JSON number arrays.
// Pure TypeScript, no Node or DOM APIs: imported by hosts and renderer alike.

export interface RequestFrame { kind: 'request'; id: number; method: string; params: unknown }
export interface ResponseFrame { kind: 'response'; id: number; ok: boolean; result?: unknown; error?: { code: string; message: string } }
export interface EventFrame { kind: 'event'; event: string; payload: unknown }
export type Frame = RequestFrame | ResponseFrame | EventFrame;

type ViewCtor = 'Float32Array' | 'Float64Array' | 'Int32Array' | 'Uint8Array' | 'Uint16Array' | 'Int8Array' | 'BigInt64Array' | 'Uint8ClampedArray' | 'Int16Array' | 'Uint32Array';
interface BinMarker { $bin: number; type: ViewCtor }

const CTORS = {
  Float32Array, Float64Array, Int32Array, Uint8Array, Uint16Array, Int8Array, BigInt64Array, Uint8ClampedArray, Int16Array, Uint32Array,
} as const;

/** Frames larger than this are refused on decode (a hostile or broken peer). */
export const MAX_FRAME_BYTES = 1024 ** 3;
const MAX_HEADER_BYTES = 64 * 1024 ** 2;
const MAX_DEPTH = 64;

export function encodeFrame(frame: Frame): Uint8Array {
  const chunks: ArrayBufferView[] = [];
  const lift = (v: unknown, depth: number): unknown => {
    if (depth > MAX_DEPTH) throw new Error('value nested too deeply to send');
    if (ArrayBuffer.isView(v)) {
      const type = v.constructor.name as ViewCtor;
      if (!(type in CTORS)) throw new Error(`cannot send ${type}`);
      chunks.push(v);
      return { $bin: chunks.length - 1, type } satisfies BinMarker;
    }
    if (v instanceof ArrayBuffer) { chunks.push(new Uint8Array(v)); return { $bin: chunks.length - 1, type: 'Uint8Array' }; }
    if (Array.isArray(v)) return v.map((x) => lift(x, depth + 1));
    if (v !== null && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (x !== undefined) o[k] = lift(x, depth + 1);
      return o;
    }
    if (typeof v === 'bigint') throw new Error('cannot send a bigint outside a typed array');
    return v;
  };
  const lifted = lift(frame, 0);
  const sizes = chunks.map((c) => c.byteLength);
  const head = new TextEncoder().encode(JSON.stringify({ frame: lifted, sizes }));
  const pad8 = (n: number) => (n + 7) & ~7;
  let total = pad8(4 + head.length);
  for (const s of sizes) total += pad8(s);
  const out = new Uint8Array(total);
  new DataView(out.buffer).setUint32(0, head.length, true);
  out.set(head, 4);
  let off = pad8(4 + head.length);
  for (const c of chunks) {
    out.set(new Uint8Array(c.buffer, c.byteOffset, c.byteLength), off);
    off += pad8(c.byteLength);
  }
  return out;
}

export function decodeFrame(buf: Uint8Array): Frame {
  if (buf.byteLength > MAX_FRAME_BYTES) throw new Error('frame too large');
  if (buf.byteLength < 4) throw new Error('frame truncated');
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const hlen = dv.getUint32(0, true);
  if (hlen > MAX_HEADER_BYTES || 4 + hlen > buf.byteLength) throw new Error('frame header length is wrong');
  const parsed: unknown = JSON.parse(new TextDecoder().decode(buf.subarray(4, 4 + hlen)));
  if (!parsed || typeof parsed !== 'object') throw new Error('frame header is not an object');
  const { frame, sizes } = parsed as { frame: unknown; sizes: unknown };
  if (!Array.isArray(sizes) || !sizes.every((s) => Number.isInteger(s) && s >= 0)) throw new Error('frame sizes are malformed');
  const pad8 = (n: number) => (n + 7) & ~7;
  const offsets: number[] = [];
  let off = pad8(4 + hlen);
  for (const s of sizes as number[]) {
    offsets.push(off);
    off += pad8(s);
    if (off > buf.byteLength + 7) throw new Error('frame body is shorter than its header says');
  }
  // Each chunk may be referenced once: a header naming one big chunk many times would
  // otherwise make us allocate many copies of it (a memory bomb from a small frame).
  const used = new Set<number>();
  const sink = (v: unknown, depth: number): unknown => {
    if (depth > MAX_DEPTH) throw new Error('frame nested too deeply');
    if (Array.isArray(v)) return v.map((x) => sink(x, depth + 1));
    if (v !== null && typeof v === 'object') {
      const m = v as Partial<BinMarker>;
      if (typeof m.$bin === 'number' && typeof m.type === 'string' && Object.keys(v).length === 2) {
        const i = m.$bin;
        const Ctor = CTORS[m.type as ViewCtor];
        if (!Ctor || !Number.isInteger(i) || i < 0 || i >= sizes.length) throw new Error('frame references a missing binary chunk');
        if (used.has(i)) throw new Error('frame references a binary chunk twice');
        used.add(i);
        const size = (sizes as number[])[i]!;
        if (offsets[i]! + size > buf.byteLength) throw new Error('frame binary chunk is truncated');
        if (size % Ctor.BYTES_PER_ELEMENT) throw new Error(`binary chunk of ${size} bytes is not a whole ${m.type}`);
        // Copy into a fresh, aligned buffer so the typed array owns its memory.
        const bytes = buf.slice(offsets[i]!, offsets[i]! + size);
        return new Ctor(bytes.buffer, 0, size / Ctor.BYTES_PER_ELEMENT);
      }
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
        o[k] = sink(x, depth + 1);
      }
      return o;
    }
    return v;
  };
  const f = sink(frame, 0) as Frame;
  if (!f || typeof f !== 'object' || !['request', 'response', 'event'].includes((f as { kind?: string }).kind ?? '')) throw new Error('frame kind is unknown');
  return f;
}
