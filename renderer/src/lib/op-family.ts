// Op families and their colours: the graph colours nodes by what kind of work they do.
export type OpFamily = 'conv' | 'norm' | 'activation' | 'pool' | 'linear' | 'merge' | 'reshape' | 'io' | 'other';

const FAMILY_OF: Record<string, OpFamily> = {};
const add = (f: OpFamily, ops: string[]) => { for (const o of ops) FAMILY_OF[o] = f; };
add('conv', ['Conv', 'ConvTranspose', 'ConvInteger', 'QLinearConv', 'DepthToSpace', 'SpaceToDepth']);
add('norm', ['BatchNormalization', 'InstanceNormalization', 'LayerNormalization', 'GroupNormalization', 'LRN', 'LpNormalization', 'Dropout']);
add('activation', ['Relu', 'LeakyRelu', 'PRelu', 'Sigmoid', 'HardSigmoid', 'Tanh', 'Elu', 'Selu', 'Celu', 'Gelu', 'Clip', 'HardSwish', 'Softplus', 'Softsign', 'Mish', 'Softmax', 'LogSoftmax', 'ThresholdedRelu']);
add('pool', ['MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'LpPool', 'MaxUnpool', 'ReduceMean', 'ReduceMax', 'ReduceSum']);
add('linear', ['Gemm', 'MatMul', 'MatMulInteger', 'Einsum']);
add('merge', ['Add', 'Sum', 'Sub', 'Mul', 'Div', 'Concat', 'Max', 'Min', 'Mean', 'Where']);
add('reshape', ['Reshape', 'Flatten', 'Transpose', 'Squeeze', 'Unsqueeze', 'Shape', 'Gather', 'Slice', 'Pad', 'Resize', 'Upsample', 'Expand', 'Split', 'Identity', 'Cast', 'Constant', 'ConstantOfShape', 'Tile']);

export function opFamily(op: string): OpFamily {
  return FAMILY_OF[op] ?? 'other';
}

export interface FamilyStyle { label: string; short: string; color: string }

/** Hues chosen to stay distinct on the dark canvas and for common colour-vision deficiencies. */
export const FAMILY_STYLE: Record<OpFamily, FamilyStyle> = {
  conv: { short: 'Conv', label: 'Convolution', color: '#4f9cf9' },
  norm: { short: 'Norm', label: 'Normalization', color: '#3cc7a8' },
  activation: { short: 'Activation', label: 'Activation', color: '#f2b134' },
  pool: { short: 'Pool', label: 'Pooling', color: '#b085f5' },
  linear: { short: 'Linear', label: 'Linear', color: '#f0727a' },
  merge: { short: 'Merge', label: 'Merge', color: '#5fd3e8' },
  reshape: { short: 'Reshape', label: 'Reshape', color: '#9aa5b4' },
  io: { short: 'I/O', label: 'Input / output', color: '#e8eaed' },
  other: { short: 'Other', label: 'Other', color: '#c48f6a' },
};
