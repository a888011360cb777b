// Renderer-side cache of layer activations per (model, input, layer), bounded by bytes so large
// nets (VGG's first layers are 12 MB each) cannot grow memory without limit. In-flight requests
// are shared, so a double click costs one round trip.
import type { LayerActivationsResult } from '../../../../electron/api/contract.ts';

export const CACHE_BYTES = 192 * 1024 ** 2;

interface Entry { p: Promise<LayerActivationsResult>; bytes: number }

export class ActivationCache {
  private map = new Map<string, Entry>();
  private total = 0;
  constructor(private readonly maxBytes = CACHE_BYTES) {}

  has(key: string): boolean { return this.map.has(key); }

  get(key: string, load: () => Promise<LayerActivationsResult>): Promise<LayerActivationsResult> {
    const hit = this.map.get(key);
    if (hit) { this.map.delete(key); this.map.set(key, hit); return hit.p; }
    const entry: Entry = { p: load(), bytes: 0 };
    this.map.set(key, entry);
    entry.p.then((r) => {
      if (this.map.get(key) !== entry) return;
      entry.bytes = r.data.byteLength;
      this.total += entry.bytes;
      this.evict(key);
    }, () => { if (this.map.get(key) === entry) this.map.delete(key); });
    return entry.p;
  }

  clear(): void { this.map.clear(); this.total = 0; }

  private evict(keep: string): void {
    for (const [k, e] of this.map) {
      if (this.total <= this.maxBytes) break;
      if (k === keep) continue;
      this.map.delete(k);
      this.total -= e.bytes;
    }
  }
}
