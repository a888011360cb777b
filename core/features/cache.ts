// Feature cache: a byte-bounded in-memory LRU in front of an on-disk store, keyed by the model's
// sha256, the layer, pooling and the dataset fingerprint, so a second look at the same embedding
// does not run the model again (in this process or the next).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ByteLru } from '../activations/lru.ts';

export interface CachedFeatures {
  /** n×d row-major features. */
  features: Float32Array;
  n: number;
  d: number;
  /** Argmax of the model output per item; -1 when there was no class output (or --pixels). */
  predictions: Int32Array;
  /** Dims of the layer tensor for one item, before pooling (e.g. [16, 5, 5]). */
  itemDims: number[];
  tensor: string;
  /**
   * Per-item scalars derived from the model output (extract.ts outputScalars: confidence and entropy
   * for a classifier, anomaly for an autoencoder). Absent in entries written before they existed.
   */
  scalars?: Record<string, Float32Array>;
}

export interface FeatureKey { modelSha256: string; layer: string; pool: boolean; dataset: string }

export function featureKey(k: FeatureKey): string {
  return createHash('sha256').update(JSON.stringify([k.modelSha256, k.layer, k.pool, k.dataset])).digest('hex');
}

const MAGIC = 'RCPTFEAT1';

export function defaultCacheDir(): string {
  return process.env.RECEPTIVE_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'receptive', 'features');
}

export class FeatureCache {
  private readonly memory: ByteLru<CachedFeatures>;
  hits = { memory: 0, disk: 0 };
  misses = 0;

  /** `dir: null` keeps the cache in memory only. */
  constructor(readonly dir: string | null = defaultCacheDir(), maxBytes = 512 * 1024 ** 2) {
    this.memory = new ByteLru(maxBytes);
  }

  get(key: string): CachedFeatures | undefined {
    const m = this.memory.get(key);
    if (m) { this.hits.memory++; return m; }
    const d = this.dir ? this.readDisk(key) : undefined;
    if (d) { this.hits.disk++; this.memory.set(key, d, bytesOf(d)); return d; }
    this.misses++;
    return undefined;
  }

  set(key: string, v: CachedFeatures): void {
    this.memory.set(key, v, bytesOf(v));
    if (this.dir) {
      try { this.writeDisk(key, v); } catch { /* a read-only or full disk only costs a recomputation later */ }
    }
  }

  private file(key: string): string { return join(this.dir!, `${key}.bin`); }

  private readDisk(key: string): CachedFeatures | undefined {
    const f = this.file(key);
    if (!existsSync(f)) return undefined;
    try {
      const buf = readFileSync(f);
      const headLen = buf.readUInt32LE(0);
      const head = JSON.parse(buf.subarray(4, 4 + headLen).toString('utf8')) as { magic: string; n: number; d: number; itemDims: number[]; tensor: string; scalars?: string[] };
      if (head.magic !== MAGIC) return undefined;
      let off = 4 + headLen;
      off = (off + 3) & ~3;
      const copy = (bytes: number) => { if (off + bytes > buf.length) throw new Error('truncated'); const b = new Uint8Array(bytes); b.set(buf.subarray(off, off + bytes)); off += bytes; return b.buffer; };
      const features = new Float32Array(copy(head.n * head.d * 4));
      const predictions = new Int32Array(copy(head.n * 4));
      if (features.length !== head.n * head.d || predictions.length !== head.n) return undefined;
      let scalars: Record<string, Float32Array> | undefined;
      if (Array.isArray(head.scalars)) {
        scalars = {};
        for (const name of head.scalars) {
          if (typeof name !== 'string' || !/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(name)) return undefined;
          const v = new Float32Array(copy(head.n * 4));
          if (v.length !== head.n) return undefined;
          scalars[name] = v;
        }
      }
      return { features, predictions, n: head.n, d: head.d, itemDims: head.itemDims, tensor: head.tensor, ...(scalars ? { scalars } : {}) };
    } catch { return undefined; }
  }

  private writeDisk(key: string, v: CachedFeatures): void {
    mkdirSync(this.dir!, { recursive: true });
    const names = v.scalars ? Object.keys(v.scalars) : undefined;
    const head = Buffer.from(JSON.stringify({ magic: MAGIC, n: v.n, d: v.d, itemDims: v.itemDims, tensor: v.tensor, ...(names ? { scalars: names } : {}) }), 'utf8');
    const start = (4 + head.length + 3) & ~3;
    const out = Buffer.alloc(start + v.features.byteLength + v.predictions.byteLength + (names?.length ?? 0) * v.n * 4);
    out.writeUInt32LE(head.length, 0);
    head.copy(out, 4);
    Buffer.from(v.features.buffer, v.features.byteOffset, v.features.byteLength).copy(out, start);
    Buffer.from(v.predictions.buffer, v.predictions.byteOffset, v.predictions.byteLength).copy(out, start + v.features.byteLength);
    let off = start + v.features.byteLength + v.predictions.byteLength;
    for (const name of names ?? []) { const a = v.scalars![name]!; Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(out, off); off += v.n * 4; }
    // Write then rename: a crash mid-write never leaves a truncated entry under the real name.
    const tmp = `${this.file(key)}.${process.pid}.tmp`;
    writeFileSync(tmp, out);
    renameSync(tmp, this.file(key));
  }
}

function bytesOf(v: CachedFeatures): number {
  let s = 0;
  for (const a of Object.values(v.scalars ?? {})) s += a.byteLength;
  return v.features.byteLength + v.predictions.byteLength + s + 256;
}
