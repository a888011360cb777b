// A least-recently-used map bounded by the total bytes of its values.
export class ByteLru<V> {
  private readonly map = new Map<string, { value: V; bytes: number }>();
  private total = 0;

  constructor(readonly maxBytes: number, private readonly onEvict?: (key: string, value: V) => void) {}

  get size(): number { return this.map.size; }
  get bytes(): number { return this.total; }

  get(key: string): V | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    // Re-insert: Map keeps insertion order, so the first key is the least recently used.
    this.map.delete(key);
    this.map.set(key, hit);
    return hit.value;
  }

  has(key: string): boolean { return this.map.has(key); }

  /** Values larger than the whole budget are not kept (returns false). */
  set(key: string, value: V, bytes: number): boolean {
    this.delete(key);
    if (bytes > this.maxBytes) return false;
    this.map.set(key, { value, bytes });
    this.total += bytes;
    while (this.total > this.maxBytes) {
      const [k, v] = this.map.entries().next().value as [string, { value: V; bytes: number }];
      this.map.delete(k);
      this.total -= v.bytes;
      this.onEvict?.(k, v.value);
    }
    return true;
  }

  delete(key: string): boolean {
    const hit = this.map.get(key);
    if (!hit) return false;
    this.map.delete(key);
    this.total -= hit.bytes;
    this.onEvict?.(key, hit.value);
    return true;
  }

  clear(): void {
    for (const k of [...this.map.keys()]) this.delete(k);
  }

  values(): V[] { return [...this.map.values()].map((e) => e.value); }
}
