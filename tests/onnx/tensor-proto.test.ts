import { describe, expect, it } from 'vitest';
import { makeTensor, tensorValues, tensorFloats, halfToFloat } from '../../core/onnx/tensor-proto.ts';

describe('tensor-proto', () => {
  it('decodes raw data held in a Node Buffer view into a larger pool (regression)', () => {
    const t = makeTensor('w', Float32Array.from([1, 2, 3]), [3]);
    const pool = Buffer.alloc(8192);
    pool.set(t.rawData, 100);
    t.rawData = pool.subarray(100, 112); // what a Buffer-backed decode hands us
    expect(Array.from(tensorValues(t) as Float32Array)).toEqual([1, 2, 3]);
  });
  it('checks raw sizes against dims and converts half floats', () => {
    const t = makeTensor('w', Float32Array.from([1, 2]), [2]);
    t.dims = [3n];
    expect(() => tensorValues(t)).toThrow(/raw_data has 8 bytes, dims need 12/);
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(Array.from(tensorFloats(makeTensor('i', BigInt64Array.from([5n, -1n]), [2])))).toEqual([5, -1]);
  });
});
