import { describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy } from '../../core/data/npy.ts';

function handMade(descr: string, shape: string, body: Uint8Array): Uint8Array {
  const header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }\n`;
  const out = new Uint8Array(10 + header.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(body, 10 + header.length);
  return out;
}

describe('.npy', () => {
  it('writes what NumPy writes: magic, v1.0, 64-byte aligned header, <f4 little-endian', () => {
    const data = new Float32Array([1.5, -2, 3.25, 0, 7, 8]);
    const b = encodeNpy(data, [2, 3]);
    expect(Array.from(b.subarray(0, 8))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    const hlen = new DataView(b.buffer).getUint16(8, true);
    expect((10 + hlen) % 64).toBe(0);
    const header = new TextDecoder().decode(b.subarray(10, 10 + hlen));
    expect(header).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3\), \} *\n$/);
    expect(new DataView(b.buffer).getFloat32(10 + hlen, true)).toBe(1.5);
    const back = decodeNpy(b);
    expect(back.dims).toEqual([2, 3]);
    expect(Array.from(back.data)).toEqual(Array.from(data));
    expect(decodeNpy(encodeNpy(new Float32Array([4]), [1])).dims).toEqual([1]);
    expect(decodeNpy(encodeNpy(new Float32Array([4]), [])).dims).toEqual([]);
  });

  it('reads float64 and uint8 files as float32', () => {
    const f8 = new Float64Array([0.5, 1e-3]);
    expect(Array.from(decodeNpy(handMade('<f8', '(2,)', new Uint8Array(f8.buffer))).data)).toEqual([0.5, Math.fround(1e-3)]);
    expect(Array.from(decodeNpy(handMade('|u1', '(1, 3)', new Uint8Array([0, 128, 255]))).data)).toEqual([0, 128, 255]);
  });

  it('rejects damaged or unsupported files clearly', () => {
    expect(() => decodeNpy(new Uint8Array([1, 2, 3]), 'x.npy')).toThrow('x.npy: not a NumPy .npy file (bad magic)');
    expect(() => decodeNpy(handMade('<f4', '(3,)', new Uint8Array(8)), 'x.npy')).toThrow('x.npy: shape (3) needs 12 data bytes, the file holds 8');
    expect(() => decodeNpy(handMade('<c8', '(1,)', new Uint8Array(8)))).toThrow(/dtype <c8 is not supported/);
    const fortran = handMade('<f4', '(1,)', new Uint8Array(4));
    const t = new TextDecoder().decode(fortran).replace('False', 'True ');
    expect(() => decodeNpy(new Uint8Array([...fortran.subarray(0, 10), ...new TextEncoder().encode(t.slice(10))]))).toThrow(/Fortran-order/);
  });
});
