// Layer helpers over GraphBuilder for the zoo: each call adds torchvision-named nodes and
// initializers, tracks the per-sample output shape (so flatten sizes and too-small inputs are
// known before ONNX Runtime sees the graph) and generates initial weights.
// Tensor names equal node names ("layer1.0.conv1"), so activations read like torchvision modules.
import { GraphBuilder, makeValueInfo, tensorAttr, float, type Attrs, type Dim } from '../onnx/builder.ts';
import { create, TensorProtoSchema, TensorProto_DataType as DT, type ValueInfoProto } from '../onnx/proto.ts';
import { makeTensor } from '../onnx/tensor-proto.ts';
import { Rng } from './rng.ts';

/** A tensor in the graph and its shape for one sample (no batch axis), e.g. [C, H, W] or [F]. */
export interface Act { readonly name: string; readonly shape: readonly number[] }

/**
 * Weight initialisation. he: Kaiming normal, std = sqrt(2 / fan) (ReLU gain);
 * torch-default: PyTorch's reset_parameters for Conv/Linear weights, U(±1/sqrt(fan_in));
 * normal: N(0, std²) (torchvision's VGG classifier uses 0.01).
 */
export type Init =
  | { kind: 'he'; mode: 'fan_in' | 'fan_out' }
  | { kind: 'torch-default' }
  | { kind: 'normal'; std: number };

export const HE_IN: Init = { kind: 'he', mode: 'fan_in' };
export const HE_OUT: Init = { kind: 'he', mode: 'fan_out' };
export const TORCH_DEFAULT: Init = { kind: 'torch-default' };

export class ShapeError extends Error {}

export class Net {
  readonly g: GraphBuilder;
  /** Initializers that are not trainable (BatchNormalization running mean / variance). */
  readonly buffers: string[] = [];
  /** Per-sample shape of every node output, in creation order (becomes graph.value_info). */
  readonly shapes = new Map<string, readonly number[]>();

  /** dry: track shapes only (no weights are generated), for cheap input-size checks. */
  constructor(name: string, readonly seed: number, readonly dry = false) {
    this.g = new GraphBuilder(name);
  }

  input(shape: readonly number[], batch: Dim, name = 'input'): Act {
    this.g.input(name, [batch, ...shape]);
    return { name, shape: [...shape] };
  }

  output(x: Act, batch: Dim): void {
    this.g.output(x.name, [batch, ...x.shape]);
  }

  /** Shapes of intermediate tensors, so viewers (and ORT's checks) see what the zoo expects. */
  valueInfo(batch: Dim): ValueInfoProto[] {
    const outs = new Set(this.g.outputs.map((o) => o.name));
    return [...this.shapes].filter(([n]) => !outs.has(n)).map(([n, s]) => makeValueInfo(n, [batch, ...s]));
  }

  /** A float initializer; values stored without a second copy (the array's bytes become raw_data). */
  param(name: string, dims: readonly number[], fill: (a: Float32Array, rng: Rng) => void, buffer = false): string {
    const n = this.g.unique(name);
    if (buffer) this.buffers.push(n);
    if (this.dry) return n;
    const a = new Float32Array(dims.reduce((p, q) => p * q, 1));
    fill(a, new Rng(this.seed, n));
    this.g.initializers.push(create(TensorProtoSchema, {
      name: n, dims: dims.map(BigInt), dataType: DT.FLOAT, rawData: new Uint8Array(a.buffer),
    }));
    return n;
  }

  weight(name: string, dims: readonly number[], init: Init, fanIn: number, fanOut: number): string {
    return this.param(name, dims, (a, rng) => {
      if (init.kind === 'he') rng.fillNormal(a, Math.sqrt(2 / (init.mode === 'fan_in' ? fanIn : fanOut)));
      else if (init.kind === 'normal') rng.fillNormal(a, init.std);
      else { const b = 1 / Math.sqrt(fanIn); rng.fillUniform(a, -b, b); }
    });
  }

  zeros(name: string, dims: readonly number[], buffer = false): string {
    return this.param(name, dims, () => {}, buffer);
  }

  ones(name: string, dims: readonly number[], buffer = false): string {
    return this.param(name, dims, (a) => a.fill(1), buffer);
  }

  private emit(op: string, name: string, inputs: readonly string[], attrs: Attrs, shape: readonly number[], out = name): Act {
    this.g.node(op, inputs, attrs, { name, outputs: [out] });
    this.shapes.set(out, shape);
    return { name: out, shape };
  }

  conv(name: string, x: Act, o: { out: number; k: number; stride?: number; pad?: number; bias?: boolean; groups?: number; init: Init; output?: string }): Act {
    const [c, h, w] = chw(name, x);
    const s = o.stride ?? 1, p = o.pad ?? 0, groups = o.groups ?? 1;
    const oh = windowOut(name, h, o.k, s, p, false), ow = windowOut(name, w, o.k, s, p, false);
    const rf = o.k * o.k;
    const inputs = [x.name, this.weight(`${name}.weight`, [o.out, c / groups, o.k, o.k], o.init, (c / groups) * rf, (o.out / groups) * rf)];
    if (o.bias ?? true) inputs.push(this.zeros(`${name}.bias`, [o.out]));
    return this.emit('Conv', name, inputs, { kernel_shape: [o.k, o.k], strides: [s, s], pads: [p, p, p, p], group: groups > 1 ? groups : undefined }, [o.out, oh, ow], o.output);
  }

  /**
   * ConvTranspose; weight [C_in, C_out, k, k]. Fans follow PyTorch's rule for this weight
   * (fan_in = dim 1 × kernel area), as kaiming_normal_ would compute them.
   */
  convTranspose(name: string, x: Act, o: { out: number; k: number; stride: number; pad: number; outputPadding: number; bias?: boolean; init: Init; output?: string }): Act {
    const [c, h, w] = chw(name, x);
    const size = (n: number) => (n - 1) * o.stride - 2 * o.pad + o.k + o.outputPadding;
    const rf = o.k * o.k;
    const inputs = [x.name, this.weight(`${name}.weight`, [c, o.out, o.k, o.k], o.init, o.out * rf, c * rf)];
    if (o.bias ?? true) inputs.push(this.zeros(`${name}.bias`, [o.out]));
    return this.emit('ConvTranspose', name, inputs, {
      kernel_shape: [o.k, o.k], strides: [o.stride, o.stride], pads: [o.pad, o.pad, o.pad, o.pad],
      output_padding: o.outputPadding ? [o.outputPadding, o.outputPadding] : undefined,
    }, [o.out, size(h), size(w)], o.output);
  }

  /** Inference-form BatchNormalization: gamma 1, beta 0 (trainable); running mean 0, var 1 (buffers). */
  bn(name: string, x: Act, eps = 1e-5): Act {
    const c = x.shape[0]!;
    const inputs = [x.name, this.ones(`${name}.weight`, [c]), this.zeros(`${name}.bias`, [c]),
      this.zeros(`${name}.running_mean`, [c], true), this.ones(`${name}.running_var`, [c], true)];
    return this.emit('BatchNormalization', name, inputs, { epsilon: float(eps) }, x.shape);
  }

  act(op: 'Relu' | 'Sigmoid' | 'Tanh', name: string, x: Act, output?: string): Act {
    return this.emit(op, name, [x.name], {}, x.shape, output);
  }
  relu(name: string, x: Act): Act { return this.act('Relu', name, x); }

  pool(op: 'MaxPool' | 'AveragePool', name: string, x: Act, o: { k: number; stride?: number; pad?: number; ceil?: boolean }): Act {
    const [c, h, w] = chw(name, x);
    const s = o.stride ?? o.k, p = o.pad ?? 0, ceil = o.ceil ?? false;
    const shape = [c, windowOut(name, h, o.k, s, p, ceil), windowOut(name, w, o.k, s, p, ceil)];
    return this.emit(op, name, [x.name], { kernel_shape: [o.k, o.k], strides: [s, s], pads: [p, p, p, p], ceil_mode: ceil ? 1 : undefined }, shape);
  }
  maxPool(name: string, x: Act, o: { k: number; stride?: number; pad?: number; ceil?: boolean }): Act { return this.pool('MaxPool', name, x, o); }
  avgPool(name: string, x: Act, o: { k: number; stride?: number; pad?: number; ceil?: boolean }): Act { return this.pool('AveragePool', name, x, o); }

  lrn(name: string, x: Act, o: { size: number; alpha: number; beta: number; bias: number }): Act {
    return this.emit('LRN', name, [x.name], { size: o.size, alpha: float(o.alpha), beta: float(o.beta), bias: float(o.bias) }, x.shape);
  }

  globalAvgPool(name: string, x: Act): Act {
    const [c] = chw(name, x);
    return this.emit('GlobalAveragePool', name, [x.name], {}, [c, 1, 1]);
  }

  /**
   * PyTorch's AdaptiveAvgPool2d(out): window i covers [floor(i·H/out), ceil((i+1)·H/out)).
   * Same size → no node at all (AlexNet at 224 already has 6×6 maps); divisible → one fixed
   * AveragePool; otherwise the pooling is linear, so two MatMuls with constant averaging
   * matrices (Constant nodes, not initializers: they are not parameters).
   */
  adaptiveAvgPool(name: string, x: Act, out: number): Act {
    const [c, h, w] = chw(name, x);
    if (h === out && w === out) return x;
    if (h % out === 0 && w % out === 0 && h === w) {
      const k = h / out;
      return this.emit('AveragePool', name, [x.name], { kernel_shape: [k, k], strides: [k, k] }, [c, out, out]);
    }
    const cols = this.constant(`${name}.cols_matrix`, transpose(adaptiveMatrix(w, out), out, w), [w, out]);
    const rows = this.constant(`${name}.rows_matrix`, adaptiveMatrix(h, out), [out, h]);
    const mid = this.emit('MatMul', `${name}.cols`, [x.name, cols], {}, [c, h, out]);
    return this.emit('MatMul', name, [rows, mid.name], {}, [c, out, out]);
  }

  constant(name: string, data: Float32Array, dims: readonly number[]): string {
    const n = this.g.unique(name);
    this.g.node('Constant', [], { value: tensorAttr(makeTensor(n, data, dims)) }, { name: n, outputs: [n] });
    return n;
  }

  flatten(name: string, x: Act): Act {
    return this.emit('Flatten', name, [x.name], { axis: 1 }, [x.shape.reduce((a, b) => a * b, 1)]);
  }

  /** Reshape a flat per-sample vector to `shape` (batch kept via -1). */
  reshape(name: string, x: Act, shape: readonly number[]): Act {
    const n = this.g.unique(`${name}.shape`);
    this.g.node('Constant', [], { value: tensorAttr(makeTensor(n, BigInt64Array.from([-1, ...shape].map(BigInt)), [shape.length + 1])) }, { name: n, outputs: [n] });
    return this.emit('Reshape', name, [x.name, n], {}, shape);
  }

  /** torch.nn.Linear as Gemm (weight [out, in], transB). */
  linear(name: string, x: Act, out: number, o: { init: Init; bias?: boolean; output?: string }): Act {
    if (x.shape.length !== 1) throw new ShapeError(`${name}: Linear needs a flat input, got [${x.shape.join(', ')}]`);
    const fin = x.shape[0]!;
    const inputs = [x.name, this.weight(`${name}.weight`, [out, fin], o.init, fin, out)];
    if (o.bias ?? true) inputs.push(this.zeros(`${name}.bias`, [out]));
    return this.emit('Gemm', name, inputs, { transB: 1 }, [out], o.output);
  }

  concat(name: string, xs: readonly Act[]): Act {
    const [, h, w] = chw(name, xs[0]!);
    for (const x of xs) if (x.shape[1] !== h || x.shape[2] !== w) throw new ShapeError(`${name}: cannot concatenate ${xs.map((a) => a.shape.join('×')).join(' and ')}`);
    return this.emit('Concat', name, xs.map((x) => x.name), { axis: 1 }, [xs.reduce((s, x) => s + x.shape[0]!, 0), h, w]);
  }

  add(name: string, a: Act, b: Act): Act {
    if (a.shape.join() !== b.shape.join()) throw new ShapeError(`${name}: cannot add [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
    return this.emit('Add', name, [a.name, b.name], {}, a.shape);
  }
}

function chw(name: string, x: Act): [number, number, number] {
  if (x.shape.length !== 3) throw new ShapeError(`${name}: needs a C×H×W feature map, got [${x.shape.join(', ')}]`);
  return x.shape as [number, number, number];
}

/** Output size of a conv/pool window sweep; ceil follows PyTorch (last window starts inside). */
export function windowOut(name: string, n: number, k: number, s: number, p: number, ceil: boolean): number {
  const span = n + 2 * p - k;
  if (span < 0) throw new ShapeError(`${name}: the ${n}-pixel feature map is smaller than its ${k}×${k} window — use a larger input size`);
  let out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceil && (out - 1) * s >= n + p) out--;
  return out;
}

/** Row-major [out, n] matrix averaging adaptive windows. */
export function adaptiveMatrix(n: number, out: number): Float32Array {
  const m = new Float32Array(out * n);
  for (let i = 0; i < out; i++) {
    const a = Math.floor((i * n) / out), b = Math.ceil(((i + 1) * n) / out);
    for (let j = a; j < b; j++) m[i * n + j] = 1 / (b - a);
  }
  return m;
}

function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(m.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = m[i * cols + j]!;
  return t;
}
