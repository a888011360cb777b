// Conversions between TensorProto and typed arrays. Data is stored as little-endian raw_data
// (what PyTorch and our builder write); typed fields (float_data, int64_data…) are read too.
import { create, TensorProtoSchema, TensorProto_DataType as DT, TensorProto_DataLocation } from './proto.ts';
import type { TensorProto } from './proto.ts';

export type DType = 'float32' | 'float64' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool' | 'float16';
export type TypedArray = Float32Array | Float64Array | BigInt64Array | Int32Array | Int8Array | Uint8Array | Uint16Array;

const DTYPE_OF: Record<number, DType> = {
  [DT.FLOAT]: 'float32', [DT.DOUBLE]: 'float64', [DT.INT64]: 'int64', [DT.INT32]: 'int32',
  [DT.INT8]: 'int8', [DT.UINT8]: 'uint8', [DT.BOOL]: 'bool', [DT.FLOAT16]: 'float16',
};
const ONNX_TYPE: Record<DType, DT> = {
  float32: DT.FLOAT, float64: DT.DOUBLE, int64: DT.INT64, int32: DT.INT32, int8: DT.INT8,
  uint8: DT.UINT8, bool: DT.BOOL, float16: DT.FLOAT16,
};
export const BYTES_PER_ELEMENT: Record<DType, number> = {
  float32: 4, float64: 8, int64: 8, int32: 4, int8: 1, uint8: 1, bool: 1, float16: 2,
};

export function dtypeOfOnnx(t: number): DType | undefined { return DTYPE_OF[t]; }
export function onnxTypeOf(d: DType): DT { return ONNX_TYPE[d]; }
export function dtypeName(t: number): string { return DTYPE_OF[t] ?? DT[t] ?? `type#${t}`; }

export function dimsOf(t: TensorProto): number[] { return t.dims.map(Number); }
export function elementCount(dims: readonly number[]): number { return dims.reduce((a, b) => a * b, 1); }

function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint16Array) return 'float16';
  return 'uint8';
}

/** A TensorProto holding `data` as raw little-endian bytes (copied). */
export function makeTensor(name: string, data: TypedArray, dims: readonly number[], dtype: DType = dtypeOfArray(data)): TensorProto {
  if (elementCount(dims) !== data.length) throw new Error(`tensor ${name}: ${data.length} values do not fill dims [${dims.join(',')}]`);
  const raw = new Uint8Array(data.byteLength);
  raw.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return create(TensorProtoSchema, { name, dims: dims.map(BigInt), dataType: ONNX_TYPE[dtype], rawData: raw });
}

export function isExternal(t: TensorProto): boolean {
  return t.dataLocation === TensorProto_DataLocation.EXTERNAL;
}

/** Decode the values of a tensor whose data is inline (external data must be resolved first). */
export function tensorValues(t: TensorProto): TypedArray {
  const dtype = DTYPE_OF[t.dataType];
  if (!dtype) throw new Error(`tensor ${t.name}: unsupported data type ${dtypeName(t.dataType)}`);
  if (isExternal(t)) throw new Error(`tensor ${t.name}: data is external and was not loaded`);
  const n = elementCount(dimsOf(t));
  if (t.rawData.length > 0) {
    const need = n * BYTES_PER_ELEMENT[dtype];
    if (t.rawData.length !== need) throw new Error(`tensor ${t.name}: raw_data has ${t.rawData.length} bytes, dims need ${need}`);
    // A copy into a fresh buffer: rawData may be a Node Buffer view into a shared pool, where
    // slice() does not copy and .buffer is the whole pool.
    const buf = new Uint8Array(t.rawData).buffer;
    switch (dtype) {
      case 'float32': return new Float32Array(buf);
      case 'float64': return new Float64Array(buf);
      case 'int64': return new BigInt64Array(buf);
      case 'int32': return new Int32Array(buf);
      case 'int8': return new Int8Array(buf);
      case 'float16': return new Uint16Array(buf);
      default: return new Uint8Array(buf);
    }
  }
  const check = (len: number) => {
    if (len !== n) throw new Error(`tensor ${t.name}: has ${len} values, dims need ${n}`);
  };
  switch (dtype) {
    case 'float32': check(t.floatData.length); return Float32Array.from(t.floatData);
    case 'float64': check(t.doubleData.length); return Float64Array.from(t.doubleData);
    case 'int64': check(t.int64Data.length); return BigInt64Array.from(t.int64Data);
    case 'int32': check(t.int32Data.length); return Int32Array.from(t.int32Data);
    case 'int8': check(t.int32Data.length); return Int8Array.from(t.int32Data);
    case 'float16': check(t.int32Data.length); return Uint16Array.from(t.int32Data);
    default: check(t.int32Data.length); return Uint8Array.from(t.int32Data);
  }
}

/** Values as float32 (int types converted), for weights and statistics. */
export function tensorFloats(t: TensorProto): Float32Array {
  const v = tensorValues(t);
  if (v instanceof Float32Array) return v;
  if (v instanceof BigInt64Array) return Float32Array.from(v, Number);
  if (v instanceof Uint16Array && DTYPE_OF[t.dataType] === 'float16') return Float32Array.from(v, halfToFloat);
  return Float32Array.from(v as ArrayLike<number>);
}

export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Integer values (int64/int32) as plain numbers, e.g. for Reshape shapes. */
export function tensorInts(t: TensorProto): number[] {
  const v = tensorValues(t);
  return Array.from(v as ArrayLike<number | bigint>, Number);
}
