// Conversions between core Tensors and onnxruntime tensors.
import * as ort from 'onnxruntime-node';
import type { Tensor, TensorData, TensorDType } from '../tensor.ts';

const ORT_TYPES: Record<TensorDType, 'float32' | 'int64' | 'int32' | 'uint8'> = {
  float32: 'float32', int64: 'int64', int32: 'int32', uint8: 'uint8',
};

export function toOrt(name: string, t: Tensor): ort.Tensor {
  const type = ORT_TYPES[t.dtype];
  if (!type) throw new Error(`input ${name}: unsupported dtype ${String(t.dtype)}`);
  const n = t.dims.reduce((a, b) => a * b, 1);
  if (n !== t.data.length) throw new Error(`input ${name}: dims [${t.dims.join('×')}] need ${n} values, got ${t.data.length}`);
  return new ort.Tensor(type, t.data, [...t.dims]);
}

/** A view that owns its whole ArrayBuffer can be transferred as is; otherwise copy it. */
function own<T extends Float32Array | BigInt64Array | Int32Array | Uint8Array>(a: T, copy: (a: T) => T): T {
  return a.byteOffset === 0 && a.buffer instanceof ArrayBuffer && a.byteLength === a.buffer.byteLength ? a : copy(a);
}

/**
 * A core Tensor whose typed array owns its whole ArrayBuffer, so it can be transferred to another
 * thread without a copy (onnxruntime-node returns exactly such arrays; anything else is copied).
 */
export function fromOrt(name: string, t: ort.Tensor, forceCopy = false): Tensor {
  const dims = [...t.dims];
  const src = t.data;
  let data: TensorData, dtype: TensorDType;
  if (src instanceof Float32Array) { data = forceCopy ? new Float32Array(src) : own(src, (a) => new Float32Array(a)); dtype = 'float32'; }
  else if (src instanceof BigInt64Array) { data = forceCopy ? new BigInt64Array(src) : own(src, (a) => new BigInt64Array(a)); dtype = 'int64'; }
  else if (src instanceof Int32Array) { data = forceCopy ? new Int32Array(src) : own(src, (a) => new Int32Array(a)); dtype = 'int32'; }
  else if (src instanceof Uint8Array) { data = forceCopy ? new Uint8Array(src) : own(src, (a) => new Uint8Array(a)); dtype = 'uint8'; } // uint8 and bool
  else if (src instanceof Float64Array) { data = Float32Array.from(src); dtype = 'float32'; }
  else if (src instanceof Int8Array || src instanceof Int16Array || src instanceof Uint16Array && t.type !== 'float16' || src instanceof Uint32Array) {
    data = Int32Array.from(src as ArrayLike<number>); dtype = 'int32';
  } else throw new Error(`output ${name}: onnxruntime type ${t.type} is not supported here`);
  return { dtype, dims, data };
}

export function transferablesOf(tensors: Record<string, Tensor>): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const t of Object.values(tensors)) {
    const b = t.data.buffer;
    if (b instanceof ArrayBuffer) out.add(b);
  }
  return [...out];
}
