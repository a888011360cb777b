// Seeded mutations of valid files: bit flips, byte inserts/deletes, truncation, smashed length
// fields (varints and 32-bit words set to 0 / huge / negative), chunk duplication and splicing.
export type Rng = () => number;

/** mulberry32: small, fast, reproducible. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (r: Rng, n: number) => Math.floor(r() * n);

const SMASH32 = [0, 0xffffffff, 0x7fffffff, 0x80000000, 0x0000ffff, 0x00010000, 1];
// LEB128 varints as protobuf length prefixes: 0, 127, 2^21, 2^31-1, 2^63-ish (10 bytes).
const VARINTS = [[0x00], [0x7f], [0x80, 0x80, 0x80, 0x01], [0xff, 0xff, 0xff, 0xff, 0x07], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]];

export const MUTATORS = ['bitflip', 'insert', 'delete', 'truncate', 'smash32', 'smashVarint', 'duplicate', 'splice'] as const;
export type MutatorName = (typeof MUTATORS)[number];

export function mutateOnce(src: Uint8Array, r: Rng, kind: MutatorName): Uint8Array {
  const n = src.length;
  if (n === 0) return new Uint8Array([int(r, 256)]);
  const at = int(r, n);
  switch (kind) {
    case 'bitflip': {
      const out = src.slice();
      const flips = 1 + int(r, 8);
      for (let i = 0; i < flips; i++) { const p = int(r, n); out[p]! ^= 1 << int(r, 8); }
      return out;
    }
    case 'insert': {
      const len = 1 + int(r, 16);
      const ins = Uint8Array.from({ length: len }, () => (r() < 0.5 ? 0xff : int(r, 256)));
      return concat(src.subarray(0, at), ins, src.subarray(at));
    }
    case 'delete': return concat(src.subarray(0, at), src.subarray(Math.min(n, at + 1 + int(r, 64))));
    case 'truncate': return src.slice(0, int(r, n));
    case 'smash32': {
      const out = src.slice();
      if (n < 4) return mutateOnce(src, r, "bitflip");
      const p = Math.min(at, n - 4);
      const v = SMASH32[int(r, SMASH32.length)]!;
      new DataView(out.buffer).setUint32(p, v, r() < 0.5);
      return out;
    }
    case 'smashVarint': {
      const v = VARINTS[int(r, VARINTS.length)]!;
      // Replace the varint starting at `at` (bytes with the high bit set, then one without).
      let end = at;
      while (end < n && (src[end]! & 0x80) && end - at < 10) end++;
      return concat(src.subarray(0, at), Uint8Array.from(v), src.subarray(Math.min(n, end + 1)));
    }
    case 'duplicate': {
      const len = 1 + int(r, Math.min(4096, n));
      const from = int(r, Math.max(1, n - len));
      return concat(src.subarray(0, at), src.subarray(from, from + len), src.subarray(at));
    }
    case 'splice': {
      // Overwrite a chunk with another chunk of the same file (moves headers/length fields around).
      const out = src.slice();
      const len = 1 + int(r, Math.min(512, n));
      const from = int(r, Math.max(1, n - len));
      out.set(src.subarray(from, from + len).slice(0, n - at), at);
      return out;
    }
  }
}

/** 1–3 stacked mutations; returns the bytes and what was done (for reproducing a failure). */
export function mutate(src: Uint8Array, r: Rng): { bytes: Uint8Array; ops: MutatorName[] } {
  const k = 1 + int(r, 3);
  let b = src;
  const ops: MutatorName[] = [];
  for (let i = 0; i < k; i++) {
    const kind = MUTATORS[int(r, MUTATORS.length)]!;
    ops.push(kind);
    b = mutateOnce(b, r, kind);
  }
  return { bytes: b, ops };
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
