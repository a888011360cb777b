// Deterministic generator of hostile/broken model files for the loader tests.
// Run `npx tsx tests/corpus/make-corpus.ts` to (re)write tests/corpus/files/; the test checks the
// committed files still equal what this produces.
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  create, toBinary, ModelProtoSchema, GraphProtoSchema, NodeProtoSchema, TensorProtoSchema, AttributeProtoSchema,
  OperatorSetIdProtoSchema, StringStringEntryProtoSchema, TensorProto_DataType as DT, TensorProto_DataLocation,
  AttributeProto_AttributeType as AT,
} from '../../core/onnx/proto.ts';
import type { GraphProto, ModelProto, TensorProto } from '../../core/onnx/proto.ts';
import { GraphBuilder, makeValueInfo } from '../../core/onnx/builder.ts';
import type { ModelErrorCode } from '../../core/onnx/errors.ts';
import type { LoadLimits } from '../../core/onnx/load.ts';

export interface CorpusEntry { file: string; bytes: Uint8Array; code: ModelErrorCode | null; what: string; limits?: Partial<LoadLimits> }

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s; };
}

/** A small valid conv net (~10 KB) to corrupt. */
function smallNet(): ModelProto {
  const b = new GraphBuilder('small');
  const r = prng(5);
  const w = new Float32Array(8 * 3 * 3 * 3).map(() => r() / 2 ** 32 - 0.5);
  const w2 = new Float32Array(16 * 8 * 3 * 3).map(() => r() / 2 ** 32 - 0.5);
  let x = b.input('x', ['N', 3, 16, 16]);
  x = b.op('Conv', [x, b.initializer('w1', w, [8, 3, 3, 3])], { pads: [1, 1, 1, 1] }, 'conv1');
  x = b.op('Relu', [x], {}, 'relu1');
  x = b.op('Conv', [x, b.initializer('w2', w2, [16, 8, 3, 3])], { strides: [2, 2] }, 'conv2');
  b.output(x);
  return b.build();
}

const encode = (m: ModelProto): Uint8Array => toBinary(ModelProtoSchema, m);
const opset = [create(OperatorSetIdProtoSchema, { domain: '', version: 17n })];

function modelOf(graph: GraphProto, ir = 8n): ModelProto {
  return create(ModelProtoSchema, { irVersion: ir, opsetImport: opset, producerName: 'corpus', graph });
}

/** One Relu over x with a single initializer `t` feeding an Add. */
function withInitializer(t: TensorProto): ModelProto {
  const b = new GraphBuilder('g');
  const x = b.input('x', [1, 4]);
  b.initializers.push(t);
  const y = b.op('Add', [x, t.name], {}, 'add');
  b.output(y);
  return b.build();
}

function nested(depth: number): GraphProto {
  // then_branch nests; else_branch is a trivial graph, so the size grows linearly.
  const leaf = (): GraphProto => create(GraphProtoSchema, {
    name: 'leaf', node: [create(NodeProtoSchema, { opType: 'Identity', input: ['x'], output: [`leaf_out`], name: 'leaf' })],
    output: [makeValueInfo('leaf_out', [1])],
  });
  let g = leaf();
  for (let i = 0; i < depth; i++) {
    g = create(GraphProtoSchema, {
      name: `level${i}`,
      node: [create(NodeProtoSchema, {
        opType: 'If', name: `if${i}`, input: ['cond'], output: [`out${i}`],
        attribute: [
          create(AttributeProtoSchema, { name: 'then_branch', type: AT.GRAPH, g }),
          create(AttributeProtoSchema, { name: 'else_branch', type: AT.GRAPH, g: leaf() }),
        ],
      })],
      output: [makeValueInfo(`out${i}`, [1])],
    });
  }
  g.input = [makeValueInfo('x', [1]), makeValueInfo('cond', [], 'bool')];
  return g;
}

export function corpusEntries(): CorpusEntry[] {
  const out: CorpusEntry[] = [];
  const add = (file: string, bytes: Uint8Array, code: ModelErrorCode | null, what: string, limits?: Partial<LoadLimits>) => out.push({ file, bytes, code, what, limits });
  const good = encode(smallNet());

  add('valid-small.onnx', good, null, 'a valid model (control)');
  add('zero-length.onnx', new Uint8Array(0), 'empty', 'zero bytes');
  const r = prng(1234);
  add('random-bytes.onnx', Uint8Array.from({ length: 4096 }, () => r() >>> 24), 'not-protobuf', '4 KB of pseudo-random bytes');
  add('text-file.onnx', new TextEncoder().encode('<html><body>404 Not Found</body></html>\n'), 'not-protobuf', 'an HTML error page saved as .onnx');
  add('truncated-half.onnx', good.slice(0, good.length >> 1), 'truncated', 'a valid model cut in half');
  add('truncated-header.onnx', good.slice(0, 5), 'truncated', 'only the first 5 bytes');
  // Field 7 (graph), length varint 2^31 with nothing after it.
  add('huge-length-prefix.onnx', Uint8Array.from([0x08, 0x08, 0x3a, 0x80, 0x80, 0x80, 0x80, 0x08, 0x01, 0x02]), 'truncated', 'graph field claiming 2 GiB');
  {
    // Flip the wire type of the first tag inside the graph message (field 7) so the nesting breaks.
    const bad = good.slice();
    const at = bad.indexOf(0x3a);
    let p = at + 1;
    while (bad[p]! & 0x80) p++;
    bad[p + 1] = (bad[p + 1]! & ~7) | 7; // wire type 7 does not exist
    add('corrupt-inside.onnx', bad, 'corrupt', 'valid header, invalid wire type inside the graph');
  }
  add('tensor-message.onnx', toBinary(TensorProtoSchema, create(TensorProtoSchema, { name: 't', dims: [2n], dataType: DT.FLOAT, floatData: [1, 2] })), 'not-onnx', 'a TensorProto, not a ModelProto');
  add('graph-message.onnx', toBinary(GraphProtoSchema, smallNet().graph!), 'not-onnx', 'a bare GraphProto');
  add('no-graph.onnx', encode(create(ModelProtoSchema, { irVersion: 8n, opsetImport: opset, producerName: 'corpus' })), 'no-graph', 'ModelProto without graph');
  add('ir-version-1.onnx', encode(modelOf(smallNet().graph!, 1n)), 'unsupported-ir', 'IR version 1');
  add('absurd-dims.onnx', encode(withInitializer(create(TensorProtoSchema, { name: 'big', dims: [2n ** 40n], dataType: DT.FLOAT, rawData: new Uint8Array(16) }))), 'bad-dims', 'initializer dim 2^40');
  add('negative-dims.onnx', encode(withInitializer(create(TensorProtoSchema, { name: 'neg', dims: [4n, -1n], dataType: DT.FLOAT, rawData: new Uint8Array(16) }))), 'bad-dims', 'initializer dim −1');
  add('element-bomb.onnx', encode(withInitializer(create(TensorProtoSchema, { name: 'bomb', dims: [65536n, 65536n, 65536n], dataType: DT.FLOAT, rawData: new Uint8Array(16) }))), 'too-large', '2^48 elements declared');
  add('huge-raw-size.onnx', encode(withInitializer(create(TensorProtoSchema, { name: 'w', dims: [1000000n, 1000n], dataType: DT.FLOAT, rawData: new Uint8Array(16) }))), 'size-mismatch', 'dims need 4 GB, raw_data holds 16 bytes');
  add('typed-data-mismatch.onnx', encode(withInitializer(create(TensorProtoSchema, { name: 'w', dims: [4n], dataType: DT.FLOAT, floatData: [1, 2, 3] }))), 'size-mismatch', 'float_data has 3 values for dims [4]');
  add('no-data.onnx', encode(withInitializer(create(TensorProtoSchema, { name: 'w', dims: [4n], dataType: DT.FLOAT }))), 'size-mismatch', 'weights without any data');

  {
    const b = new GraphBuilder('cycle');
    const x = b.input('x', [1, 4]);
    b.node('Add', [x, 'c'], {}, { name: 'a', outputs: ['a_out'] });
    b.node('Relu', ['a_out'], {}, { name: 'b', outputs: ['b_out'] });
    b.node('Relu', ['b_out'], {}, { name: 'c', outputs: ['c'] });
    b.output('c');
    add('cycle.onnx', encode(b.build()), 'cycle', 'a → b → c → a');
  }
  {
    const b = new GraphBuilder('missing');
    const x = b.input('x', ['N', 3, 8, 8]);
    const y = b.op('Conv', [x, 'w9'], {}, 'conv1');
    b.output(y);
    add('missing-initializer.onnx', encode(b.build()), 'missing-input', 'conv weight "w9" not stored');
  }
  {
    const b = new GraphBuilder('dup');
    const x = b.input('x', [1, 4]);
    b.node('Relu', [x], {}, { name: 'r1', outputs: ['y'] });
    b.node('Sigmoid', [x], {}, { name: 'r2', outputs: ['y'] });
    b.output('y');
    add('duplicate-output.onnx', encode(b.build()), 'duplicate-output', 'two nodes write "y"');
  }
  const external = (name: string, location: string, extra: Record<string, string> = {}) => create(TensorProtoSchema, {
    name, dims: [4n], dataType: DT.FLOAT, dataLocation: TensorProto_DataLocation.EXTERNAL,
    externalData: Object.entries({ location, ...extra }).map(([key, value]) => create(StringStringEntryProtoSchema, { key, value })),
  });
  add('external-escape.onnx', encode(withInitializer(external('w', '../../etc/passwd'))), 'external-path', 'external data at ../../etc/passwd');
  add('external-absolute.onnx', encode(withInitializer(external('w', '/etc/passwd'))), 'external-path', 'external data at /etc/passwd');
  add('external-missing.onnx', encode(withInitializer(external('w', 'nowhere.bin'))), 'external-missing', 'external data file absent');
  add('external-range.bin', new Uint8Array(8), null, 'an 8-byte data file (used by external-range.onnx)');
  add('external-range.onnx', encode(withInitializer(external('w', 'external-range.bin', { offset: '4', length: '16' }))), 'external-range', 'reads bytes 4…20 of an 8-byte file');
  {
    // 40,000 empty NodeProtos in 80 KB: with the default limit it loads as an invalid graph; the test
    // lowers maxMessages to show the message bound (a 2 GB file of these would be ~10^9 objects).
    const nodes = new Uint8Array(80_000);
    for (let i = 0; i < nodes.length; i += 2) { nodes[i] = 0x0a; nodes[i + 1] = 0; }
    const len: number[] = [];
    for (let v = nodes.length; ; v >>>= 7) { if (v < 128) { len.push(v); break; } len.push((v & 127) | 128); }
    add('message-bomb.onnx', Uint8Array.from([0x08, 0x08, 0x42, 0x02, 0x10, 0x11, 0x3a, ...len, ...nodes]), 'too-large', '40,000 empty nodes (message count bound)', { maxMessages: 10_000 });
  }
  add('nested-60.onnx', encode(modelOf(nested(60))), 'too-deep', 'If inside If, 60 levels (beyond protobuf recursion limit)');
  add('nested-20.onnx', encode(modelOf(nested(20))), 'too-deep', 'If inside If, 20 levels (beyond the loader limit)');
  add('nested-3.onnx', encode(modelOf(nested(3))), null, 'If inside If, 3 levels (valid, control)');
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'files');
  mkdirSync(dir, { recursive: true });
  const manifest: Record<string, { code: string | null; what: string; limits?: Partial<LoadLimits> }> = {};
  for (const e of corpusEntries()) {
    if (e.bytes.length > 100_000) throw new Error(`${e.file} is ${e.bytes.length} bytes; corpus files must stay under 100 KB`);
    writeFileSync(join(dir, e.file), e.bytes);
    manifest[e.file] = e.limits ? { code: e.code, what: e.what, limits: e.limits } : { code: e.code, what: e.what };
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  console.log(`wrote ${Object.keys(manifest).length} files to ${dir}`);
}
