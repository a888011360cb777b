// Loading, saving, external data, validation errors and lossless round trips.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, readdirSync, readFileSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import * as ort from 'onnxruntime-node';
import {
  create, fromBinary, toBinary, ModelProtoSchema, NodeProtoSchema, StringStringEntryProtoSchema, TensorProtoSchema,
  TensorProto_DataType as DT, TensorProto_DataLocation,
} from '../../core/onnx/proto.ts';
import type { ModelProto } from '../../core/onnx/proto.ts';
import { GraphBuilder } from '../../core/onnx/builder.ts';
import { tensorFloats } from '../../core/onnx/tensor-proto.ts';
import { loadModelBytes, loadModelFile, MAX_IR_VERSION } from '../../core/onnx/load.ts';
import { saveModelBytes, saveModelFile } from '../../core/onnx/save.ts';
import { ModelError, type ModelErrorCode } from '../../core/onnx/errors.ts';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'receptive-onnx-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

function codeOf(fn: () => unknown): ModelErrorCode | 'none' | 'other' {
  try { fn(); return 'none'; } catch (e) { return e instanceof ModelError ? e.code : 'other'; }
}

function net(): ModelProto {
  const b = new GraphBuilder('net');
  const x = b.input('x', ['N', 2]);
  const y = b.op('Gemm', [x, b.initializer('w', new Float32Array([1, 2, 3, 4, 5, 6]), [3, 2]), b.initializer('b', new Float32Array([0.5, -1, 2]), [3])], { transB: 1 }, 'fc');
  b.output(b.op('Relu', [y], {}, 'relu'), ['N', 3]);
  return b.build({ metadata: { task: 'demo' }, doc: 'doc text' });
}

/** Protobuf varint bytes. */
function varint(v: number): number[] {
  const out: number[] = [];
  while (v > 127) { out.push((v & 127) | 128); v = Math.floor(v / 128); }
  out.push(v);
  return out;
}

describe('round trip', () => {
  it('fields survive save → load, and the sha256/bytes are reported', () => {
    const m = net();
    const bytes = saveModelBytes(m);
    const l = loadModelBytes(bytes, { name: 'net.onnx' });
    expect(l.name).toBe('net.onnx');
    expect(l.bytes).toBe(bytes.length);
    expect(l.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(l.externalFiles).toEqual([]);
    expect(l.model.docString).toBe('doc text');
    expect(l.model.metadataProps.map((p) => [p.key, p.value])).toEqual([['task', 'demo']]);
    expect(l.model.graph!.node.map((n) => n.opType)).toEqual(['Gemm', 'Relu']);
    expect(l.model.graph!.node[0]!.attribute[0]!.i).toBe(1n);
    expect(Array.from(tensorFloats(l.model.graph!.initializer[0]!))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Buffer.compare(Buffer.from(saveModelBytes(l.model)), Buffer.from(bytes))).toBe(0);
  });

  it('unknown fields in ModelProto and NodeProto are written back byte-identically', () => {
    const m = net();
    // A NodeProto carrying field 99 (varint 7) and field 100 (bytes "hi") that this schema does not know.
    const nodeBytes = toBinary(NodeProtoSchema, m.graph!.node[1]!);
    const extended = Uint8Array.from([...nodeBytes, ...varint((99 << 3) | 0), 7, ...varint((100 << 3) | 2), 2, 0x68, 0x69]);
    m.graph!.node[1] = fromBinary(NodeProtoSchema, extended);
    const withNode = saveModelBytes(m);
    // …and field 77 (varint 300) appended to the ModelProto itself.
    const crafted = Uint8Array.from([...withNode, ...varint((77 << 3) | 0), ...varint(300)]);
    const l = loadModelBytes(crafted);
    const again = saveModelBytes(l.model);
    expect(again.length).toBe(crafted.length);
    expect(Buffer.compare(Buffer.from(again), Buffer.from(crafted))).toBe(0);
    expect(l.model.graph!.node[1]!.opType).toBe('Relu');
  });

  it('saveModelFile writes atomically (no temp file left) and the file loads back', () => {
    const p = join(dir, 'saved.onnx');
    saveModelFile(net(), p);
    saveModelFile(net(), p); // overwrite
    expect(readdirSync(dir).filter((f) => f.includes('saved'))).toEqual(['saved.onnx']);
    const l = loadModelFile(p);
    expect(l.name).toBe('saved.onnx');
    expect(l.model.graph!.name).toBe('net');
    expect(codeOf(() => saveModelFile(net(), join(dir, 'no-such-dir', 'x.onnx')))).toBe('io');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('accepts IR 3 and warns about IRs newer than the schema', () => {
    const m = net();
    m.irVersion = 3n;
    expect(loadModelBytes(saveModelBytes(m)).warnings).toEqual([]);
    m.irVersion = BigInt(MAX_IR_VERSION + 1);
    expect(loadModelBytes(saveModelBytes(m)).warnings[0]).toMatch(/newer/);
  });
});

describe('external data', () => {
  const values = new Float32Array([1.5, -2, 3.25, 4, 5, 6]);
  function externalModel(location: string, offset: number, extra: Record<string, string> = {}): ModelProto {
    const m = net();
    const w = m.graph!.initializer[0]!;
    m.graph!.initializer[0] = create(TensorProtoSchema, {
      name: w.name, dims: w.dims, dataType: DT.FLOAT, dataLocation: TensorProto_DataLocation.EXTERNAL,
      externalData: Object.entries({ location, offset: String(offset), length: '24', ...extra }).map(([key, value]) => create(StringStringEntryProtoSchema, { key, value })),
    });
    return m;
  }

  it('reads data relative to the model folder, inlines it, and the model runs', async () => {
    const sub = join(dir, 'ext');
    mkdirSync(join(sub, 'data'), { recursive: true });
    const blob = new Uint8Array(64);
    blob.set(new Uint8Array(values.buffer), 16);
    writeFileSync(join(sub, 'data', 'weights.bin'), blob);
    saveModelFile(externalModel('data/weights.bin', 16), join(sub, 'model.onnx'));
    const l = loadModelFile(join(sub, 'model.onnx'));
    expect(l.externalFiles).toEqual(['data/weights.bin']);
    const w = l.model.graph!.initializer[0]!;
    expect(w.dataLocation).toBe(TensorProto_DataLocation.DEFAULT);
    expect(Array.from(tensorFloats(w))).toEqual(Array.from(values));
    // The inlined model runs: relu(x·Wᵀ + b) with x = [1, 1].
    const s = await ort.InferenceSession.create(saveModelBytes(l.model));
    const out = await s.run({ x: new ort.Tensor('float32', new Float32Array([1, 1]), [1, 2]) });
    await s.release();
    expect(Array.from(out[s.outputNames[0]!]!.data as Float32Array)).toEqual([0, 7.25 - 1, 11 + 2]);
  });

  it('refuses escapes, missing files, bad ranges and loading from bytes', () => {
    const sub = join(dir, 'ext2');
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, 'w.bin'), new Uint8Array(24));
    writeFileSync(join(dir, 'outside.bin'), new Uint8Array(24));
    symlinkSync(join(dir, 'outside.bin'), join(sub, 'link.bin'));
    const tryLoad = (m: ModelProto) => { saveModelFile(m, join(sub, 'm.onnx')); return codeOf(() => loadModelFile(join(sub, 'm.onnx'))); };
    expect(tryLoad(externalModel('w.bin', 0))).toBe('none');
    expect(tryLoad(externalModel('../outside.bin', 0))).toBe('external-path');
    expect(tryLoad(externalModel('sub/../../outside.bin', 0))).toBe('external-path');
    expect(tryLoad(externalModel(join(dir, 'outside.bin'), 0))).toBe('external-path');
    expect(tryLoad(externalModel('C:\\weights.bin', 0))).toBe('external-path');
    expect(tryLoad(externalModel('link.bin', 0))).toBe('external-path'); // symlink pointing outside
    expect(tryLoad(externalModel('absent.bin', 0))).toBe('external-missing');
    expect(tryLoad(externalModel('w.bin', 8))).toBe('external-range');
    expect(tryLoad(externalModel('w.bin', 0, { length: '20' }))).toBe('size-mismatch');
    expect(tryLoad(externalModel('w.bin', 0, { offset: '-4' }))).toBe('external-range');
    expect(codeOf(() => loadModelBytes(saveModelBytes(externalModel('w.bin', 0))))).toBe('external-missing');
    expect(codeOf(() => loadModelBytes(saveModelBytes(externalModel('w.bin', 0)), { baseDir: sub }))).toBe('none');
    expect(codeOf(() => loadModelBytes(saveModelBytes(externalModel('w.bin', 0)), { baseDir: sub, limits: { maxExternalBytes: 10 } }))).toBe('too-large');
  });
});

describe('validation', () => {
  it('limits are configurable', () => {
    const bytes = saveModelBytes(net());
    expect(codeOf(() => loadModelBytes(bytes, { limits: { maxBytes: 10 } }))).toBe('too-large');
    expect(codeOf(() => loadModelBytes(bytes, { limits: { maxTensorElements: 5 } }))).toBe('too-large');
    expect(codeOf(() => loadModelBytes(bytes, { limits: { maxDim: 2 } }))).toBe('bad-dims');
    expect(codeOf(() => loadModelFile(join(dir, 'nope.onnx')))).toBe('io');
    expect(codeOf(() => loadModelFile(dir))).toBe('io');
  });

  it('a graph output nothing produces, and subgraph reads of outer names', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', [1]);
    b.op('Relu', [x]);
    b.output('ghost');
    expect(codeOf(() => loadModelBytes(saveModelBytes(b.build())))).toBe('missing-input');
  });

  it('every truncation point of a valid model is refused with a ModelError, never a crash', () => {
    const bytes = saveModelBytes(net());
    const codes = new Set<string>();
    for (let n = 1; n < bytes.length; n++) {
      const cut = bytes.slice(0, n);
      const c = codeOf(() => loadModelBytes(cut));
      codes.add(c);
      expect(c, `cut at ${n}`).not.toBe('other');
      // A cut exactly between top-level fields (e.g. dropping trailing metadata) is a valid, smaller model.
      if (c === 'none') expect(Buffer.compare(Buffer.from(saveModelBytes(loadModelBytes(cut).model)), Buffer.from(cut))).toBe(0);
    }
    expect(codes.has('truncated')).toBe(true);
  });

  it('single-byte corruptions never crash or hang', () => {
    const bytes = saveModelBytes(net());
    let s = 99;
    for (let k = 0; k < 400; k++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const copy = bytes.slice();
      copy[s % copy.length] = (s >>> 8) & 255;
      const c = codeOf(() => loadModelBytes(copy));
      expect(c, `corruption ${k}`).not.toBe('other');
    }
  });

  it('reads files the reader did not write: typed float_data and int64 fields', () => {
    const m = net();
    m.graph!.initializer[1] = create(TensorProtoSchema, { name: 'b', dims: [3n], dataType: DT.FLOAT, floatData: [1, 2, 3] });
    const l = loadModelBytes(saveModelBytes(m));
    expect(Array.from(tensorFloats(l.model.graph!.initializer[1]!))).toEqual([1, 2, 3]);
    expect(fromBinary(ModelProtoSchema, readFileSync(join(dir, 'saved.onnx'))).graph!.name).toBe('net');
  });
});
