import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, MAX_FRAME_BYTES, type Frame, type ResponseFrame } from '../../electron/api/wire.ts';

/** A raw frame from a header object and body bytes, for hostile inputs the encoder cannot make. */
function rawFrame(header: unknown, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  const head = new TextEncoder().encode(JSON.stringify(header));
  const start = (4 + head.length + 7) & ~7;
  const out = new Uint8Array(start + body.length);
  new DataView(out.buffer).setUint32(0, head.length, true);
  out.set(head, 4);
  out.set(body, start);
  return out;
}

describe('wire frames', () => {
  it('round-trips typed arrays bit-exactly, aligned, owning their memory', () => {
    const odd = new Uint8Array([1, 2, 3, 4, 5, 6, 7]); // 7 bytes: the next chunk must still land 8-aligned
    const f32 = new Float32Array([0, -0, 1.5, NaN, Infinity, -3.4028234663852886e38, 1e-45]);
    const f64 = new Float64Array([Math.PI, -Number.MAX_VALUE, Number.MIN_VALUE]);
    const i64 = new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, 0n]);
    const backing = new Float32Array([9, 8, 7, 6, 5]);
    const view = backing.subarray(1, 4); // byteOffset 4: only the view's bytes travel
    const frame: Frame = { kind: 'response', id: 7, ok: true, result: { odd, nested: [{ f32 }, f64], i64, view, n: 3, s: 'x', nul: null } };
    const bytes = encodeFrame(frame);
    expect(bytes.byteLength % 8).toBe(0);
    const back = decodeFrame(bytes) as ResponseFrame;
    const r = back.result as { odd: Uint8Array; nested: [{ f32: Float32Array }, Float64Array]; i64: BigInt64Array; view: Float32Array; n: number; s: string; nul: null };
    expect(back.kind).toBe('response');
    expect(back.id).toBe(7);
    expect(r.odd).toBeInstanceOf(Uint8Array);
    expect([...r.odd]).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(r.nested[0].f32).toBeInstanceOf(Float32Array);
    // Compare bit patterns so NaN and -0 count.
    expect(new Uint32Array(r.nested[0].f32.buffer)).toEqual(new Uint32Array(f32.buffer));
    expect(r.nested[1]).toBeInstanceOf(Float64Array);
    expect([...r.nested[1]]).toEqual([...f64]);
    expect([...r.i64]).toEqual([...i64]);
    expect([...r.view]).toEqual([8, 7, 6]);
    for (const a of [r.odd, r.nested[0].f32, r.nested[1], r.i64, r.view]) {
      expect(a.byteOffset).toBe(0);
      expect(a.buffer.byteLength).toBe(a.byteLength);
    }
    expect(r.n).toBe(3);
    expect(r.s).toBe('x');
    expect(r.nul).toBeNull();
  });

  it('carries a request with model bytes and no binary as JSON', () => {
    const data = new Uint8Array(1000).map((_, i) => (i * 31) & 255);
    const f = decodeFrame(encodeFrame({ kind: 'request', id: 1, method: 'openModel', params: { source: { kind: 'bytes', name: 'm.onnx', data } } }));
    expect(f).toMatchObject({ kind: 'request', id: 1, method: 'openModel' });
    const got = ((f as { params: { source: { data: Uint8Array } } }).params.source.data);
    expect(got).toEqual(data);
    // The JSON header never holds the numbers themselves.
    const enc = encodeFrame({ kind: 'event', event: 'progress', payload: { a: new Float32Array(4096) } });
    const hlen = new DataView(enc.buffer).getUint32(0, true);
    expect(hlen).toBeLessThan(200);
  });

  it('refuses every truncation that cuts into the header or a chunk', () => {
    const bytes = encodeFrame({ kind: 'response', id: 2, ok: true, result: { a: new Float32Array([1, 2, 3]), b: new Uint8Array(13) } });
    const hlen = new DataView(bytes.buffer).getUint32(0, true);
    const dataEnd = ((4 + hlen + 7) & ~7) + 16 + 13; // a: 12 bytes padded to 16, then b: 13
    for (let n = 0; n < dataEnd; n++) expect(() => decodeFrame(bytes.subarray(0, n)), `prefix ${n}`).toThrow(Error);
  });

  it('rejects hostile headers with clear errors', () => {
    const big = new Uint8Array(16);
    new DataView(big.buffer).setUint32(0, 0xffffffff, true);
    expect(() => decodeFrame(big)).toThrow(/header length/);
    expect(() => decodeFrame(rawFrame({ frame: { kind: 'request', id: 1, method: 'x', params: {} }, sizes: [-1] }))).toThrow(/sizes/);
    expect(() => decodeFrame(rawFrame({ frame: { kind: 'request', id: 1, method: 'x', params: {} }, sizes: 'no' }))).toThrow(/sizes/);
    expect(() => decodeFrame(rawFrame({ frame: { kind: 'request', id: 1, method: 'x', params: { $bin: 3, type: 'Uint8Array' } }, sizes: [] }))).toThrow(/missing binary chunk/);
    expect(() => decodeFrame(rawFrame({ frame: { kind: 'request', id: 1, method: 'x', params: { $bin: 0, type: 'Function' } }, sizes: [8] }, new Uint8Array(8)))).toThrow(/missing binary chunk/);
    expect(() => decodeFrame(rawFrame({ frame: { kind: 'request', id: 1, method: 'x', params: { $bin: 0, type: 'Float32Array' } }, sizes: [6] }, new Uint8Array(8)))).toThrow(/not a whole Float32Array/);
    expect(() => decodeFrame(rawFrame({ frame: { kind: 'request', id: 1, method: 'x', params: { $bin: 0, type: 'Uint8Array' } }, sizes: [1e9] }, new Uint8Array(8)))).toThrow(/shorter|truncated/);
    expect(() => decodeFrame(rawFrame({ frame: { kind: 'request', id: 1, method: 'x', params: [{ $bin: 0, type: 'Uint8Array' }, { $bin: 0, type: 'Uint8Array' }] }, sizes: [8] }, new Uint8Array(8)))).toThrow(/twice/);
    expect(() => decodeFrame(rawFrame({ frame: { kind: 'nope' }, sizes: [] }))).toThrow(/kind/);
    expect(() => decodeFrame(rawFrame(null))).toThrow(/not an object/);
    const nul = new Uint8Array([5, 0, 0, 0, 0x7b, 0x7b, 0x7b, 0x7b, 0x7b]);
    expect(() => decodeFrame(nul)).toThrow(SyntaxError);
    let deep: unknown = 1;
    for (let i = 0; i < 200; i++) deep = [deep];
    expect(() => decodeFrame(rawFrame({ frame: { kind: 'request', id: 1, method: 'x', params: deep }, sizes: [] }))).toThrow(/nested too deeply/);
    expect(() => encodeFrame({ kind: 'request', id: 1, method: 'x', params: deep })).toThrow(/nested too deeply/);
    expect(() => decodeFrame({ byteLength: MAX_FRAME_BYTES + 1 } as Uint8Array)).toThrow(/too large/);
  });

  it('drops prototype-polluting keys', () => {
    const json = '{"frame":{"kind":"request","id":1,"method":"getInfo","params":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}},"sizes":[]}';
    const head = new TextEncoder().encode(json);
    const buf = new Uint8Array(4 + head.length);
    new DataView(buf.buffer).setUint32(0, head.length, true);
    buf.set(head, 4);
    const f = decodeFrame(buf) as { params: Record<string, unknown> };
    expect(Object.keys(f.params)).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(f.params)).toBe(Object.prototype);
  });

  it('never crashes on random bytes: it returns a frame or throws an Error', () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const valid = encodeFrame({ kind: 'request', id: 3, method: 'getInfo', params: { a: new Int32Array([1, 2]) } });
    for (let t = 0; t < 2000; t++) {
      const b = t % 2 ? new Uint8Array(Math.floor(rnd() * 64)).map(() => Math.floor(rnd() * 256)) : valid.slice();
      if (t % 2 === 0) for (let k = 0; k < 3; k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      try { decodeFrame(b); } catch (e) { expect(e).toBeInstanceOf(Error); }
    }
  });
});
