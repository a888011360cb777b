// Reads an ONNX model from bytes or a file, resolves external data and validates what the rest of
// the app relies on (a graph, sane tensor sizes, an acyclic node graph whose reads are all defined).
// Hostile input ends in a ModelError, never a crash, hang or unbounded allocation.
import { readFileSync, statSync, openSync, readSync, closeSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { createHash } from 'node:crypto';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { fromBinary, ModelProtoSchema, TensorProto_DataType as DT, TensorProto_DataLocation, Version } from './proto.ts';
import type { ModelProto, GraphProto, TensorProto } from './proto.ts';
import { ModelError } from './errors.ts';
import { indexGraph, describeNode } from './graph.ts';
import { countMessages } from './wire-scan.ts';

export interface LoadLimits {
  /** Largest model file (protobuf itself cannot exceed 2 GiB). */
  maxBytes: number;
  /** Largest single dimension. */
  maxDim: number;
  /** Largest element count of one tensor. */
  maxTensorElements: number;
  /** Largest total of external data read into memory. */
  maxExternalBytes: number;
  /** Deepest nesting of subgraphs (If/Loop/Scan bodies). */
  maxGraphDepth: number;
  /** Most protobuf messages (nodes, attributes, tensors, value infos…) decoded; bounds the JS heap. */
  maxMessages: number;
}

export const DEFAULT_LIMITS: LoadLimits = {
  maxBytes: 2 * 1024 ** 3 - 1,
  maxDim: 2 ** 31 - 1,
  maxTensorElements: 2 ** 31 - 1,
  maxExternalBytes: 4 * 1024 ** 3,
  maxGraphDepth: 16,
  maxMessages: 5_000_000,
};

/** Oldest IR we read (IR 1–2 were pre-release formats) and the newest the schema knows. */
export const MIN_IR_VERSION = 3;
export const MAX_IR_VERSION = Version.IR_VERSION as number;

export interface LoadOptions {
  /** Folder external data paths are relative to (the model's folder). */
  baseDir?: string;
  name?: string;
  limits?: Partial<LoadLimits>;
}

export interface LoadedModel {
  model: ModelProto;
  name: string;
  /** Size of the model file/bytes (external data not included). */
  bytes: number;
  /** Hex SHA-256 of the model bytes. */
  sha256: string;
  /** External data files read (paths relative to baseDir), now inlined in the model. */
  externalFiles: string[];
  /** Things that did not stop loading but the user should know. */
  warnings: string[];
}

export function loadModelFile(path: string, opts: LoadOptions = {}): LoadedModel {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new ModelError('io', `"${path}" is not a file; choose an .onnx model file`);
    size = st.size;
  } catch (e) {
    if (e instanceof ModelError) throw e;
    throw new ModelError('io', `cannot read "${path}": ${(e as Error).message}`);
  }
  if (size > limits.maxBytes) {
    throw new ModelError('too-large', `"${basename(path)}" is ${size} bytes, above the ${limits.maxBytes}-byte limit; ONNX files above 2 GiB must keep weights in external data files`);
  }
  let bytes: Uint8Array;
  try { bytes = readFileSync(path); } catch (e) { throw new ModelError('io', `cannot read "${path}": ${(e as Error).message}`); }
  return loadModelBytes(bytes, { ...opts, baseDir: opts.baseDir ?? dirname(resolve(path)), name: opts.name ?? basename(path), limits });
}

export function loadModelBytes(bytes: Uint8Array, opts: LoadOptions = {}): LoadedModel {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const label = opts.name ?? 'the model';
  if (bytes.length === 0) throw new ModelError('empty', `${label} is empty (0 bytes); the file was not written or downloaded completely`);
  if (bytes.length > limits.maxBytes) {
    throw new ModelError('too-large', `${label} is ${bytes.length} bytes, above the ${limits.maxBytes}-byte limit`);
  }
  // Real models hold few, large messages; millions of tiny ones only bloat the heap (~200 B each).
  const messages = countMessages(bytes, ModelProtoSchema, limits.maxMessages);
  if (messages > limits.maxMessages) {
    throw new ModelError('too-large', `${label} holds more than ${limits.maxMessages} protobuf messages (nodes, attributes, tensors); it is malformed or hostile`);
  }
  const model = decode(bytes, label);
  if (model.irVersion === 0n && !model.graph && model.opsetImport.length === 0) {
    throw new ModelError('not-onnx', `${label} is a protobuf message but not an ONNX model (no IR version, opset or graph); export the network with torch.onnx.export or tf2onnx`);
  }
  const warnings: string[] = [];
  const ir = Number(model.irVersion);
  if (ir < MIN_IR_VERSION) {
    throw new ModelError('unsupported-ir', `${label} has ONNX IR version ${ir}; versions below ${MIN_IR_VERSION} predate ONNX 1.0 — convert it with a current onnx release`);
  }
  if (ir > MAX_IR_VERSION) warnings.push(`IR version ${ir} is newer than this reader knows (${MAX_IR_VERSION}); newer fields are kept but ignored`);
  if (!model.opsetImport.some((o) => o.domain === '' || o.domain === 'ai.onnx')) {
    warnings.push('the model imports no default (ai.onnx) opset; runtimes will assume opset 1 — re-export with an explicit opset');
  }
  if (!model.graph) throw new ModelError('no-graph', `${label} has no graph (IR version ${ir}); the file holds metadata only — re-export the full model`);

  const ctx: Ctx = { limits, baseDir: opts.baseDir, external: new Map(), externalBytes: 0, label };
  try {
    checkGraph(model.graph, new Set(), 0, ctx, 'main graph');
  } finally {
    for (const f of ctx.external.values()) closeSync(f.fd);
  }
  const name = opts.name ?? (model.graph.name !== '' ? model.graph.name : 'model');
  return {
    model, name, bytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    externalFiles: [...ctx.external.keys()],
    warnings,
  };
}

function decode(bytes: Uint8Array, label: string): ModelProto {
  try {
    return fromBinary(ModelProtoSchema, bytes);
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    if (/recursion depth/.test(msg)) {
      throw new ModelError('too-deep', `${label} nests messages deeper than 100 levels (subgraphs inside subgraphs); it is malformed or hostile`);
    }
    const shape = wireShape(bytes);
    if (shape === 'truncated' && (bytes[0] === 0x08 || bytes[0] === 0x3a || bytes[0] === 0x12)) {
      // Starts like a ModelProto (ir_version, graph or producer) but a field runs past the end.
      throw new ModelError('truncated', `${label} ends in the middle of a field (${bytes.length} bytes): the file is truncated — copy or download it again`);
    }
    if (shape === 'ok' && modelShaped(bytes)) {
      // Top-level fields are intact and it starts with ir_version: damage inside a nested message.
      throw new ModelError('corrupt', `${label} starts like an ONNX model but its contents are damaged (${msg}); the file is corrupt — copy or export it again`);
    }
    if (shape === 'ok') {
      throw new ModelError('not-onnx', `${label} is protobuf data but not an ONNX ModelProto (${msg}); it may be a different message such as a bare graph or tensor`);
    }
    throw new ModelError('not-protobuf', `${label} is not an ONNX file: the bytes are not a protobuf message (${msg}); choose the .onnx file itself`);
  }
}

/** ModelProto's top-level field numbers and wire types (varint 0, length-delimited 2). */
const MODEL_FIELDS = new Map<number, number>([[1, 0], [2, 2], [3, 2], [4, 2], [5, 0], [6, 2], [7, 2], [8, 2], [14, 2], [20, 2], [25, 2], [26, 2]]);

/** Do the top-level fields look like a ModelProto (known fields with their wire types, ir_version or graph present)? */
function modelShaped(bytes: Uint8Array): boolean {
  const r = new BinaryReader(bytes);
  let core = false;
  try {
    while (r.pos < r.len) {
      const [fieldNo, wt] = r.tag();
      const want = MODEL_FIELDS.get(fieldNo);
      if (want !== undefined && want !== wt) return false;
      if (fieldNo === 1 || fieldNo === 7) core = true;
      r.skip(wt, fieldNo, 10);
    }
  } catch { return false; }
  return core;
}

/** Walks top-level protobuf fields without interpreting them: does the buffer parse as some message? */
function wireShape(bytes: Uint8Array): 'ok' | 'truncated' | 'invalid' {
  const r = new BinaryReader(bytes);
  try {
    while (r.pos < r.len) {
      const [fieldNo, wt] = r.tag();
      if (fieldNo < 1 || wt === WireType.StartGroup || wt === WireType.EndGroup) return 'invalid';
      r.skip(wt, fieldNo, 10);
    }
    return r.pos === r.len ? 'ok' : 'truncated';
  } catch (e) {
    return /premature EOF/.test((e as Error).message) || e instanceof RangeError ? 'truncated' : 'invalid';
  }
}

// ---- validation ----

interface ExternalFile { fd: number; size: number }
interface Ctx {
  limits: LoadLimits;
  baseDir: string | undefined;
  external: Map<string, ExternalFile>;
  externalBytes: number;
  label: string;
}

function checkGraph(g: GraphProto, outer: ReadonlySet<string>, depth: number, ctx: Ctx, where: string): void {
  if (depth > ctx.limits.maxGraphDepth) {
    throw new ModelError('too-deep', `subgraphs are nested more than ${ctx.limits.maxGraphDepth} levels deep (innermost: ${where}); the model is malformed or hostile`);
  }
  for (const t of g.initializer) checkTensor(t, `initializer "${t.name}"`, ctx);
  for (const s of g.sparseInitializer) {
    if (s.values) checkTensor(s.values, `sparse initializer "${s.values.name}" values`, ctx);
    if (s.indices) checkTensor(s.indices, `sparse initializer "${s.values?.name ?? '?'}" indices`, ctx);
  }
  g.node.forEach((n, i) => {
    for (const a of n.attribute) {
      if (a.t) checkTensor(a.t, `attribute "${a.name}" of ${describeNode(n, i)}`, ctx);
      for (const t of a.tensors) checkTensor(t, `attribute "${a.name}" of ${describeNode(n, i)}`, ctx);
    }
  });
  indexGraph(g, { outerScope: outer });
  // Names visible inside subgraphs: everything defined here plus the enclosing scopes.
  let inner: Set<string> | undefined;
  g.node.forEach((n, i) => {
    for (const a of n.attribute) {
      const subs = a.g ? [a.g, ...a.graphs] : a.graphs;
      if (subs.length === 0) continue;
      if (!inner) {
        inner = new Set(outer);
        for (const x of g.input) inner.add(x.name);
        for (const x of g.initializer) inner.add(x.name);
        for (const x of g.node) for (const o of x.output) inner.add(o);
      }
      for (const sg of subs) checkGraph(sg, inner, depth + 1, ctx, `attribute "${a.name}" of ${describeNode(n, i)}`);
    }
  });
}

/** Bits per element for data types whose size we can check; undefined for strings and unknown types. */
function bitsPerElement(t: number): number | undefined {
  switch (t) {
    case DT.FLOAT: case DT.INT32: case DT.UINT32: return 32;
    case DT.DOUBLE: case DT.INT64: case DT.UINT64: case DT.COMPLEX64: return 64;
    case DT.COMPLEX128: return 128;
    case DT.UINT8: case DT.INT8: case DT.BOOL: case DT.FLOAT8E4M3FN: case DT.FLOAT8E4M3FNUZ:
    case DT.FLOAT8E5M2: case DT.FLOAT8E5M2FNUZ: case DT.FLOAT8E8M0: return 8;
    case DT.UINT16: case DT.INT16: case DT.FLOAT16: case DT.BFLOAT16: return 16;
    case DT.UINT4: case DT.INT4: case DT.FLOAT4E2M1: return 4;
    case DT.UINT2: case DT.INT2: return 2;
    default: return undefined;
  }
}

/** Number of values a typed (non-raw) field must hold for n elements, and which field holds them. */
function typedCount(t: TensorProto, n: number): { have: number; need: number; field: string } | undefined {
  switch (t.dataType) {
    case DT.FLOAT: return { have: t.floatData.length, need: n, field: 'float_data' };
    case DT.COMPLEX64: return { have: t.floatData.length, need: 2 * n, field: 'float_data' };
    case DT.DOUBLE: return { have: t.doubleData.length, need: n, field: 'double_data' };
    case DT.COMPLEX128: return { have: t.doubleData.length, need: 2 * n, field: 'double_data' };
    case DT.INT64: return { have: t.int64Data.length, need: n, field: 'int64_data' };
    case DT.UINT32: case DT.UINT64: return { have: t.uint64Data.length, need: n, field: 'uint64_data' };
    case DT.STRING: return { have: t.stringData.length, need: n, field: 'string_data' };
    case DT.UINT4: case DT.INT4: case DT.FLOAT4E2M1: return { have: t.int32Data.length, need: Math.ceil(n / 2), field: 'int32_data' };
    case DT.UINT2: case DT.INT2: return { have: t.int32Data.length, need: Math.ceil(n / 4), field: 'int32_data' };
    default: return bitsPerElement(t.dataType) !== undefined ? { have: t.int32Data.length, need: n, field: 'int32_data' } : undefined;
  }
}

function checkTensor(t: TensorProto, where: string, ctx: Ctx): void {
  const { maxDim, maxTensorElements } = ctx.limits;
  let n = 1;
  for (const d of t.dims) {
    if (d < 0n || d > BigInt(maxDim)) {
      throw new ModelError('bad-dims', `${where} has dimension ${d} in dims [${t.dims.join(', ')}]; dimensions must be between 0 and ${maxDim} — the file is corrupt`);
    }
    n *= Number(d);
  }
  if (n > maxTensorElements) {
    throw new ModelError('too-large', `${where} declares ${n} elements (dims [${t.dims.join(', ')}]), above the limit of ${maxTensorElements}`);
  }
  if (t.segment) return; // segmented tensors are split across protos; sizes are checked by the runtime
  const bits = bitsPerElement(t.dataType);
  const needBytes = bits === undefined ? undefined : Math.ceil((n * bits) / 8);
  if (t.dataLocation === TensorProto_DataLocation.EXTERNAL) {
    resolveExternal(t, where, needBytes, ctx);
    return;
  }
  if (t.rawData.length > 0) {
    if (needBytes !== undefined && t.rawData.length !== needBytes) {
      throw new ModelError('size-mismatch', `${where} declares dims [${t.dims.join(', ')}] (${needBytes} bytes) but raw_data holds ${t.rawData.length} bytes; the file is corrupt — re-export it`);
    }
    return;
  }
  const c = typedCount(t, n);
  if (c && c.have !== c.need && !(c.have === 0 && n === 0)) {
    throw new ModelError('size-mismatch', c.have === 0
      ? `${where} declares dims [${t.dims.join(', ')}] (${n} values) but holds no data; if the weights were saved separately, keep the external data file next to the model`
      : `${where} declares dims [${t.dims.join(', ')}] (${c.need} values) but ${c.field} holds ${c.have}; the file is corrupt — re-export it`);
  }
}

function resolveExternal(t: TensorProto, where: string, needBytes: number | undefined, ctx: Ctx): void {
  const kv = new Map(t.externalData.map((e) => [e.key, e.value]));
  const location = kv.get('location');
  if (!location) throw new ModelError('external-missing', `${where} is stored externally but names no file (external_data has no "location")`);
  // Refuse anything that could read outside the model's folder: absolute paths, drive letters, `..`.
  if (isAbsolute(location) || /^[A-Za-z]:/.test(location) || location.startsWith('\\') || location.split(/[\\/]/).includes('..')) {
    throw new ModelError('external-path', `${where} points at external data "${location}", outside the model's folder; external data must be a relative path inside it — the model may be hostile`);
  }
  if (ctx.baseDir === undefined) {
    throw new ModelError('external-missing', `${where} keeps its data in "${location}"; open the model from its file (not as bytes) so that file can be found`);
  }
  const parseNum = (key: string): number | undefined => {
    const v = kv.get(key);
    if (v === undefined) return undefined;
    if (!/^\d{1,16}$/.test(v)) throw new ModelError('external-range', `${where}: external_data ${key} "${v}" is not a non-negative integer`);
    return Number(v);
  };
  const offset = parseNum('offset') ?? 0;
  const lengthKey = parseNum('length');
  let file = ctx.external.get(location);
  if (!file) {
    const base = realOrSelf(ctx.baseDir);
    const full = join(base, location);
    let real: string;
    try { real = realpathSync(full); } catch {
      throw new ModelError('external-missing', `${where} keeps its data in "${location}", which does not exist next to the model (${full}); copy that file alongside the .onnx file`);
    }
    const rel = relative(base, real);
    if (rel.startsWith('..') || isAbsolute(rel) || rel.split(sep)[0] === '..') {
      throw new ModelError('external-path', `${where}: external data "${location}" resolves outside the model's folder (via a link); refusing to read it`);
    }
    try {
      const st = statSync(real);
      if (!st.isFile()) throw new Error('not a regular file');
      file = { fd: openSync(real, 'r'), size: st.size };
    } catch (e) {
      throw new ModelError('external-missing', `${where}: cannot open external data "${location}": ${(e as Error).message}`);
    }
    ctx.external.set(location, file);
  }
  const length = lengthKey ?? (needBytes ?? file.size - offset);
  if (needBytes !== undefined && length !== needBytes) {
    throw new ModelError('size-mismatch', `${where} declares dims [${t.dims.join(', ')}] (${needBytes} bytes) but its external data length is ${length}`);
  }
  if (offset + length > file.size) {
    throw new ModelError('external-range', `${where} reads bytes ${offset}…${offset + length} of "${location}", but that file has only ${file.size} bytes; the data file is truncated or belongs to another model`);
  }
  if (length > 2 ** 31 - 1) throw new ModelError('too-large', `${where} has ${length} bytes of external data, above the 2 GiB per-tensor limit`);
  if (ctx.externalBytes + length > ctx.limits.maxExternalBytes) {
    throw new ModelError('too-large', `external data exceeds the ${ctx.limits.maxExternalBytes}-byte limit at ${where}`);
  }
  ctx.externalBytes += length;
  const data = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const r = readSync(file.fd, data, got, length - got, offset + got);
    if (r === 0) throw new ModelError('external-range', `${where}: "${location}" ended early while reading`);
    got += r;
  }
  // Inline the data: everything downstream (analysis, runtime sessions from bytes) sees one self-contained model.
  t.rawData = data;
  t.dataLocation = TensorProto_DataLocation.DEFAULT;
  t.externalData = [];
}

function realOrSelf(p: string): string {
  try { return realpathSync(p); } catch { return resolve(p); }
}
