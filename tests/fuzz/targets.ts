// What is fuzzed: each target makes its valid seed files and feeds one (mutated) input to the
// loaders under test. `typed` names the error classes that count as a clean refusal.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

export interface Target {
  name: string;
  /** Error names that are the loader's documented, typed refusals. */
  typed: string[];
  /** Valid files (each must load) and, optionally, hostile ones whose neighbourhoods are fuzzed too. */
  seeds(work: string): Promise<{ valid: Uint8Array[]; hostile?: Uint8Array[] }>;
  run(bytes: Uint8Array, work: string): Promise<unknown>;
  /** Per-case time bound (ms). */
  caseMs: number;
  /** Repairs checksums after a mutation (sometimes), so inputs get past them to the parser proper. */
  fixup?(bytes: Uint8Array, r: () => number): Uint8Array;
}

/** Recompute the CRC of every PNG chunk that lies inside the buffer. */
export function fixPngCrcs(b: Uint8Array): Uint8Array {
  const out = b.slice();
  const dv = new DataView(out.buffer);
  let o = 8;
  while (o + 12 <= out.length) {
    const len = dv.getUint32(o);
    if (len > out.length - o - 12) break;
    dv.setUint32(o + 8 + len, crc32(out.subarray(o + 4, o + 8 + len)));
    o += 12 + len;
  }
  return out;
}

const root = join(import.meta.dirname, '..', '..');
// Per-case bound. Measured maxima on the shared 2-core machine: ONNX 1.5 s, DICOM 1.7 s, PNG 3.9 s
// (a small file declaring a huge image is decoded up to MAX_IMAGE_PIXELS), workspace 0.4 s.
const CASE_MS = Number(process.env.FUZZ_CASE_MS ?? 10_000);

const onnx: Target = {
  name: 'onnx',
  typed: ['ModelError'],
  caseMs: CASE_MS,
  async seeds() {
    const { buildZooModel } = await import('../../core/zoo/index.ts');
    const { ModelProtoSchema, toBinary } = await import('../../core/onnx/proto.ts');
    const lenet = toBinary(ModelProtoSchema, buildZooModel('lenet5'));
    const dir = join(root, 'tests', 'corpus', 'files');
    // The corpus's valid-small model and the hostile ones (mutating those probes their neighbourhoods).
    const names = readdirSync(dir).filter((f) => f.endsWith('.onnx') && !f.startsWith('external-'));
    const corpus = names.map((f) => new Uint8Array(readFileSync(join(dir, f))));
    return { valid: [lenet, corpus[names.indexOf('valid-small.onnx')]!], hostile: corpus.filter((b) => b.length < 4 * 1024 ** 2) };
  },
  async run(bytes) {
    const { loadModelBytes } = await import('../../core/onnx/load.ts');
    const { analyzeModel } = await import('../../core/analysis/summary.ts');
    // maxMessages as in the app would allow ~1 GB of heap for a hostile file; the fuzzer's inputs are small.
    const m = loadModelBytes(bytes, { name: 'fuzz.onnx', limits: { maxExternalBytes: 0 } });
    return analyzeModel(m.model);
  },
};

const png: Target = {
  name: 'png',
  typed: ['ImageError'],
  caseMs: CASE_MS,
  async seeds() {
    const dir = join(root, 'resources', 'samples');
    return { valid: readdirSync(dir).filter((f) => f.endsWith('.png')).map((f) => new Uint8Array(readFileSync(join(dir, f)))) };
  },
  // libpng rejects a chunk with a bad CRC before parsing it; repair CRCs in 3 of 4 cases.
  fixup: (bytes, r) => (r() < 0.75 ? fixPngCrcs(bytes) : bytes),
  async run(bytes) {
    const { loadImage } = await import('../../core/data/image.ts');
    return loadImage(bytes, { size: [28, 28], channels: 1, mean: [0], std: [1], preset: 'unit', resize: 'stretch' }, { name: 'fuzz.png' });
  },
};

const dicom: Target = {
  name: 'dicom',
  typed: ['DicomError'],
  caseMs: CASE_MS,
  async seeds() {
    const { makeDicom } = await import('../dicom/make-dicom.ts');
    const px16 = Int16Array.from({ length: 32 * 32 }, (_, i) => (i * 37) % 4000 - 1000);
    const px8 = Uint8Array.from({ length: 24 * 16 }, (_, i) => (i * 11) % 256);
    const rgb = Uint8Array.from({ length: 8 * 8 * 3 }, (_, i) => (i * 5) % 256);
    // Compressed (encapsulated) seeds: a damaged item length once made dcmjs-codecs allocate
    // ~4 GB (findings/README.md); readDicom now walks the items first. FUZZ_DICOM_ENCAPSULATED=0 skips them.
    const encapsulated = process.env.FUZZ_DICOM_ENCAPSULATED !== '0' ? await Promise.all([
      makeDicom({ rows: 32, cols: 32, pixels: Uint16Array.from(px16, (v) => v + 1000), transferSyntax: 'RleLossless' }),
      makeDicom({ rows: 32, cols: 32, pixels: Uint16Array.from(px16, (v) => v + 1000), transferSyntax: 'JpegLsLossless' }),
    ]) : [];
    return { valid: await Promise.all([
      makeDicom({ rows: 32, cols: 32, pixels: px16, bitsStored: 12, slope: 1, intercept: -1024, windows: [{ center: 40, width: 400 }], pixelSpacing: [0.2, 0.2] }),
      makeDicom({ rows: 24, cols: 16, pixels: px8, photometric: 'MONOCHROME1' }),
      makeDicom({ rows: 8, cols: 8, pixels: rgb, photometric: 'RGB' }),
      makeDicom({ rows: 32, cols: 32, pixels: Uint16Array.from(px16, (v) => v + 1000), voiLut: { first: 0, bits: 16, data: Array.from({ length: 64 }, (_, i) => i * 1000) } }),
    ]), hostile: encapsulated };
  },
  async run(bytes) {
    const { readDicom } = await import('../../core/dicom/read.ts');
    const { displayImage } = await import('../../core/dicom/voi.ts');
    return displayImage(await readDicom(bytes, { name: 'fuzz.dcm' }));
  },
};

let wsCounter = 0;
const workspace: Target = {
  name: 'workspace',
  typed: ['StoreError'],
  caseMs: CASE_MS,
  async seeds(work) {
    const { Workspace } = await import('../../core/store/workspace.ts');
    const f = join(work, 'seed.rcpt');
    rmSync(f, { force: true });
    const ws = Workspace.open(f, { create: true });
    const ds = ws.addDataset({ name: 'd', kind: 'folder', path: join(work, 'imgs') }, Array.from({ length: 12 }, (_, i) => ({ key: `c${i}`, path: join(work, 'imgs', `c${i}.png`), label: i % 2 ? 'a' : 'b', prediction: 'a', score: i / 12 })));
    const run = ws.startRun({ datasetId: ds, method: 'gradcam', settings: { layer: 'x' }, provider: 'cpu' });
    for (const c of ws.listCases()) {
      ws.putResult({ runId: run, caseId: c.id, map: { dtype: 'float32', dims: [1, 4, 4], data: Float32Array.from({ length: 16 }, (_, i) => i * c.id) }, score: 0.5 });
      ws.giveVerdict({ caseId: c.id, reviewer: 'ana', verdict: 'on-target', note: `note ${c.id}`, methods: ['gradcam'] });
    }
    ws.close(); // checkpoints the WAL into the main file
    return { valid: [new Uint8Array(readFileSync(f))] };
  },
  async run(bytes, work) {
    const { Workspace } = await import('../../core/store/workspace.ts');
    // A fresh copy per case: the open may migrate or write, and the WAL/SHM files must not carry over.
    const dir = join(work, `w${wsCounter++ % 4}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    const f = join(dir, 'fuzz.rcpt');
    writeFileSync(f, bytes);
    const ws = Workspace.open(f);
    try {
      const cases = ws.listCases();
      const check = ws.integrityCheck();
      ws.currentVerdicts();
      return { cases: cases.length, check: check[0] };
    } finally { ws.close(); }
  },
};

export const TARGETS: Record<string, Target> = { onnx, png, dicom, workspace };
