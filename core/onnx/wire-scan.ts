// Counts the protobuf messages a buffer would decode into, without allocating them. A few MB of
// empty NodeProtos would otherwise become tens of millions of JS objects (GBs of heap) in fromBinary.
import type { DescMessage } from '@bufbuild/protobuf';

const childTypes = new WeakMap<DescMessage, Map<number, DescMessage>>();

function messageFields(desc: DescMessage): Map<number, DescMessage> {
  let m = childTypes.get(desc);
  if (m) return m;
  m = new Map();
  for (const f of desc.fields) {
    if (f.fieldKind === 'message') m.set(f.number, f.message);
    else if (f.fieldKind === 'list' && f.listKind === 'message') m.set(f.number, f.message);
    // Map entries would be messages too; the ONNX schema has no map fields.
  }
  childTypes.set(desc, m);
  return m;
}

class Malformed extends Error {}

/**
 * Number of messages in `bytes` decoded as `desc`; stops once the count exceeds `limit`.
 * Malformed input returns the count so far (the real decoder then reports the error).
 * A hand-rolled varint walk: no per-message allocation, ~10 ns per field.
 */
export function countMessages(bytes: Uint8Array, desc: DescMessage, limit: number, maxDepth = 100): number {
  let count = 0;
  let pos = 0;
  const varint = (end: number): number => {
    let result = 0, mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) throw new Malformed();
      const b = bytes[pos++]!;
      result += (b & 0x7f) * mul;
      mul *= 128;
      if (b < 0x80) return result;
    }
    throw new Malformed();
  };
  const walk = (end: number, d: DescMessage, depth: number): void => {
    if (depth > maxDepth) throw new Malformed();
    const kids = messageFields(d);
    while (pos < end && count <= limit) {
      const tag = varint(end);
      const no = Math.floor(tag / 8), wt = tag % 8;
      if (wt === 0) varint(end);
      else if (wt === 1) pos += 8;
      else if (wt === 5) pos += 4;
      else if (wt === 2) {
        const len = varint(end);
        const stop = pos + len;
        if (stop > end) throw new Malformed();
        const child = kids.get(no);
        if (child) {
          count++;
          if (len > 0) walk(stop, child, depth + 1);
        }
        pos = stop;
      } else throw new Malformed(); // groups are not used by ONNX
    }
  };
  try { walk(bytes.length, desc, 0); } catch (e) { if (!(e instanceof Malformed)) throw e; }
  return count;
}
