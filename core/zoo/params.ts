// Trainable-parameter counting. Like torchvision, BatchNormalization running mean/variance are
// buffers, not parameters; zoo models list their buffers under BUFFERS_KEY, and for any other
// model the BN statistic inputs are recognised from the graph.
import type { ModelProto } from '../onnx/proto.ts';
import { TensorProto_DataType as DT } from '../onnx/proto.ts';

/** ONNX metadata key: JSON list of initializer names that are buffers, not trainable parameters. */
export const BUFFERS_KEY = 'receptive.buffers';

const FLOAT_TYPES = new Set<number>([DT.FLOAT, DT.FLOAT16, DT.DOUBLE, DT.BFLOAT16]);

/** Names of non-trainable initializers: the metadata list plus every BN running mean/var input. */
export function bufferNames(model: ModelProto): Set<string> {
  const out = new Set<string>();
  const listed = model.metadataProps.find((p) => p.key === BUFFERS_KEY)?.value;
  if (listed) {
    try {
      const names: unknown = JSON.parse(listed);
      if (Array.isArray(names)) for (const n of names) if (typeof n === 'string') out.add(n);
    } catch { /* a malformed list is ignored; the graph scan below still applies */ }
  }
  for (const node of model.graph?.node ?? []) {
    if (node.opType === 'BatchNormalization' && (node.domain === '' || node.domain === 'ai.onnx')) {
      for (const i of [3, 4]) if (node.input[i]) out.add(node.input[i]!);
    }
  }
  return out;
}

/** Element count of floating-point initializers that are not buffers (integer shapes etc. are not parameters). */
export function trainableParamCount(model: ModelProto): number {
  const buffers = bufferNames(model);
  let n = 0;
  for (const t of model.graph?.initializer ?? []) {
    if (!FLOAT_TYPES.has(t.dataType) || buffers.has(t.name)) continue;
    n += t.dims.reduce((a, d) => a * Number(d), 1);
  }
  return n;
}
