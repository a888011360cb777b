// Paths the user chose through the host's file dialog. The renderer may only open those: a
// compromised page must not be able to read arbitrary files by naming them.
import { resolve } from 'node:path';

export class PathGrants {
  private readonly granted = new Set<string>();
  constructor(private readonly limit = 256) {}

  grant(path: string): string {
    const p = resolve(path);
    if (this.granted.size >= this.limit) {
      // Forget the oldest grant; Set iteration order is insertion order.
      const first = this.granted.values().next().value;
      if (first !== undefined) this.granted.delete(first);
    }
    this.granted.add(p);
    return p;
  }

  /** Exact match after normalisation: granting /a/m.onnx does not grant /a/other.onnx or /a. */
  isGranted(path: string): boolean {
    if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) return false;
    return this.granted.has(resolve(path));
  }

  revokeAll(): void { this.granted.clear(); }
}
