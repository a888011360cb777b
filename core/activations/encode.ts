// Serialising a model whose weights are large, fast. protobuf-es pushes every raw_data byte through
// its writer (about 1 s for AlexNet's 228 MB classifier sub-model on the host's main thread); here the
// small part is encoded by protobuf-es and each large tensor's raw_data is copied in once. The result
// relies on protobuf's merge rule: a message field (ModelProto.graph) that occurs twice is merged,
// and repeated fields (GraphProto.initializer) are concatenated — so it parses to the same model.
import { ModelProtoSchema, TensorProtoSchema, toBinary, type ModelProto, type TensorProto } from '../onnx/proto.ts';

/** Tensors at least this large are copied in directly. */
const DIRECT_BYTES = 1 << 20;
const MODEL_GRAPH = 7, GRAPH_INITIALIZER = 5, TENSOR_RAW_DATA = 9;

function varintLength(n: number): number {
  let len = 1;
  while (n >= 0x80) { n = Math.floor(n / 128); len++; }
  return len;
}

function writeVarint(buf: Uint8Array, at: number, n: number): number {
  while (n >= 0x80) { buf[at++] = (n % 128) | 0x80; n = Math.floor(n / 128); }
  buf[at++] = n;
  return at;
}

const tag = (field: number) => (field << 3) | 2; // length-delimited

export function encodeModel(model: ModelProto): Uint8Array {
  const g = model.graph;
  const big = g ? g.initializer.filter((t) => t.rawData.length >= DIRECT_BYTES) : [];
  if (!g || big.length === 0) return toBinary(ModelProtoSchema, model);
  const head = toBinary(ModelProtoSchema, { ...model, graph: { ...g, initializer: g.initializer.filter((t) => t.rawData.length < DIRECT_BYTES) } });
  const parts = big.map((t: TensorProto) => {
    const meta = toBinary(TensorProtoSchema, { ...t, rawData: new Uint8Array(0) });
    const raw = t.rawData;
    const tensorLen = meta.length + 1 + varintLength(raw.length) + raw.length;
    return { meta, raw, tensorLen, entryLen: 1 + varintLength(tensorLen) + tensorLen };
  });
  const graphLen = parts.reduce((a, p) => a + p.entryLen, 0);
  const total = head.length + 1 + varintLength(graphLen) + graphLen;
  const out = new Uint8Array(total);
  out.set(head, 0);
  let at = head.length;
  out[at++] = tag(MODEL_GRAPH);
  at = writeVarint(out, at, graphLen);
  for (const p of parts) {
    out[at++] = tag(GRAPH_INITIALIZER);
    at = writeVarint(out, at, p.tensorLen);
    out.set(p.meta, at); at += p.meta.length;
    out[at++] = tag(TENSOR_RAW_DATA);
    at = writeVarint(out, at, p.raw.length);
    out.set(p.raw, at); at += p.raw.length;
  }
  if (at !== total) throw new Error(`internal: encoded ${at} of ${total} bytes`);
  return out;
}
