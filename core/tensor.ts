// The tensor value that flows between core modules, hosts and the renderer.
// Data is always a typed array (never a JSON number array); the layout is explicit.
export type Layout = 'NCHW' | 'NHWC' | 'NC' | 'flat';
export type TensorDType = 'float32' | 'int64' | 'int32' | 'uint8';
export type TensorData = Float32Array | BigInt64Array | Int32Array | Uint8Array;

export interface Tensor<D extends TensorData = TensorData> {
  readonly dtype: TensorDType;
  readonly dims: readonly number[];
  readonly data: D;
  readonly layout?: Layout;
}

export type FloatTensor = Tensor<Float32Array>;

export function floatTensor(data: Float32Array, dims: readonly number[], layout?: Layout): FloatTensor {
  const n = dims.reduce((a, b) => a * b, 1);
  if (n !== data.length) throw new Error(`tensor of dims [${dims.join('×')}] needs ${n} values, got ${data.length}`);
  return { dtype: 'float32', dims: [...dims], data, layout };
}

export function sizeOf(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}
