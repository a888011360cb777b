// What the model analysis reports, per layer and per model. Shared by the CLI, hosts and renderer
// (the renderer imports these as types only).
export type ShapeDim = number | string; // a string is a symbolic dimension such as 'N'
export type Shape = ShapeDim[];

/** Receptive field of one output unit, in input pixels (height, width). */
export interface ReceptiveField {
  /** Side of the input window one output unit sees. */
  size: [number, number];
  /** Effective stride: input pixels between neighbouring output units. */
  jump: [number, number];
  /** Centre of output unit (0,0) in input pixel coordinates (may be negative with padding). */
  start: [number, number];
}

export interface TensorInfo { name: string; shape: Shape | null; dtype: string }

export interface LayerInfo {
  index: number;
  name: string;
  op: string;
  inputs: string[];
  outputs: string[];
  outputShapes: (Shape | null)[];
  /** Attributes rendered for display (ints, floats, strings, lists). */
  attributes: Record<string, string | number | number[]>;
  kernel?: [number, number];
  stride?: [number, number];
  /** top, left, bottom, right */
  pads?: [number, number, number, number];
  dilation?: [number, number];
  groups?: number;
  /** Learned parameters held in this layer's initializers (weights, biases, BN scale and shift). */
  params: number;
  /** Non-learned statistics held in initializers (BatchNormalization running mean and variance). */
  buffers?: number;
  /** Multiply-accumulates for one input of the model (batch 1). */
  macs: number;
  receptiveField: ReceptiveField | null;
  /** How the output size was computed, e.g. "H: floor((224 − 11 + 2·2) / 4) + 1 = 55". */
  formula?: string;
}

export interface ModelSummary {
  name: string;
  producer: string;
  irVersion: number;
  opsets: Record<string, number>;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  layers: LayerInfo[];
  totals: { params: number; buffers?: number; macs: number; layers: number };
  metadata: Record<string, string>;
  warnings: string[];
}
