// Bottleneck detection, decoder extraction and encoder+decoder composition, checked against the
// architecture worked out by hand and against onnxruntime runs of the full model.
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadModelFile } from '../../core/onnx/load.ts';
import { buildZooModel } from '../../core/zoo/index.ts';
import { findBottleneck, splitAt } from '../../core/autoencoder/bottleneck.ts';
import { extractSubgraph } from '../../core/autoencoder/extract.ts';
import { composeEncoderDecoder } from '../../core/autoencoder/compose.ts';
import { exposeOutputs } from '../../core/onnx/expose.ts';
import { saveModelBytes } from '../../core/onnx/save.ts';
import type { ModelProto } from '../../core/onnx/proto.ts';
import { gridDecoder, skipModel, subspaceAutoencoder } from './models.ts';

async function run(model: ModelProto, feeds: Record<string, ort.Tensor>, outputs?: string[]): Promise<Record<string, Float32Array>> {
  const s = await ort.InferenceSession.create(saveModelBytes(model), { logSeverityLevel: 3 });
  try {
    const r = outputs ? await s.run(feeds, outputs) : await s.run(feeds);
    return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.data as Float32Array]));
  } finally { await s.release(); }
}

function images(n: number, seed = 1): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n * 784 }, () => ((s = (s * 1103515245 + 12345) >>> 0) % 1000) / 1000);
}

describe('bottleneck detection', () => {
  it('finds the latent Gemm output of the zoo autoencoder (latent 32 → 784/32 = 24.5)', () => {
    const s = findBottleneck(buildZooModel('autoencoder'));
    expect(s.bottleneck.tensor).toBe('latent');
    expect(s.bottleneck.elements).toBe(32);
    expect(s.compressionRatio).toBe(24.5);
    expect(s.trueBottleneck).toBe(true);
    expect(s.input).toMatchObject({ tensor: 'input', elements: 784 });
    expect(s.output).toMatchObject({ tensor: 'reconstruction', elements: 784 });
    expect(s.encoderNodes.at(-1)).toBe('bottleneck.fc');
    expect(s.encoderNodes).toContain('encoder.0');
    expect(s.decoderNodes[0]).toBe('decoder.fc');
    expect(s.decoderNodes).toContain('decoder.3');
    expect(s.encoderNodes.filter((n) => s.decoderNodes.includes(n))).toEqual([]);
  });

  it('follows the latent and depth options (latent 8, depth 3: 784/8 = 98)', () => {
    const s = findBottleneck(buildZooModel('autoencoder', { latent: 8, depth: 3 }));
    expect(s.bottleneck).toMatchObject({ tensor: 'latent', elements: 8 });
    expect(s.compressionRatio).toBe(98);
  });

  it('reports no true bottleneck when a skip connection bypasses the smallest tensor', () => {
    const s = findBottleneck(skipModel());
    expect(s.trueBottleneck).toBe(false);
    expect(s.smallest).toMatchObject({ tensor: 'b', elements: 4 });
    expect(s.bottleneck).toMatchObject({ tensor: 'a', elements: 16 });
    expect(s.compressionRatio).toBe(1);
    expect(s.note).toMatch(/no true bottleneck.*"b".*skip connection/);
    expect(s.candidates.map((c) => c.tensor)).toEqual(['a']);
    expect(() => splitAt(skipModel(), 'b')).toThrow(/bypassed by a skip connection/);
  });

  it('lets the user split at another dominating tensor', () => {
    const s = splitAt(buildZooModel('autoencoder'), 'bottleneck.flatten');
    expect(s).toMatchObject({ chosen: true, bottleneck: { tensor: 'bottleneck.flatten', elements: 1568 } });
    expect(s.compressionRatio).toBeCloseTo(0.5, 10);
    expect(() => splitAt(buildZooModel('autoencoder'), 'nope')).toThrow(/not an intermediate tensor/);
  });
});

describe('decoder extraction and composition', () => {
  const model = buildZooModel('autoencoder', { seed: 3 });
  const x = images(3);

  it('the decoder cut at the bottleneck reproduces the full model from its latent code', async () => {
    const full = await run(exposeOutputs(model, ['latent']), { input: new ort.Tensor('float32', x, [3, 1, 28, 28]) });
    const dec = extractSubgraph(model, ['latent'], ['reconstruction']);
    expect(dec.graph!.input.map((i) => i.name)).toEqual(['latent']);
    expect(dec.graph!.node.every((n) => !n.name.startsWith('encoder.'))).toBe(true);
    const out = await run(dec, { latent: new ort.Tensor('float32', full.latent!, [3, 32]) });
    const ref = full.reconstruction!;
    let maxDiff = 0;
    for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(out.reconstruction![i]! - ref[i]!));
    expect(maxDiff).toBeLessThan(1e-6);
  });

  it('refuses a cut that a skip connection bypasses', () => {
    expect(() => extractSubgraph(skipModel(), ['b'], ['out'])).toThrow(/skip connection/);
    expect(() => extractSubgraph(model, ['missing'], ['reconstruction'])).toThrow(/no tensor named "missing"/);
  });

  it('an encoder file + decoder file compose into the original autoencoder', async () => {
    const enc = extractSubgraph(model, ['input'], ['latent']);
    const dec = extractSubgraph(model, ['latent'], ['reconstruction']);
    const c = composeEncoderDecoder(enc, dec);
    expect(c.bottleneck).toBe('latent');
    const s = findBottleneck(c.model);
    expect(s.bottleneck.tensor).toBe('latent');
    const feeds = () => ({ input: new ort.Tensor('float32', x, [3, 1, 28, 28]) });
    const [a, b] = [await run(model, feeds()), await run(c.model, feeds())];
    const outName = c.model.graph!.output[0]!.name;
    expect(outName).toBe('decoder/reconstruction');
    for (let i = 0; i < a.reconstruction!.length; i += 97) expect(b[outName]![i]).toBeCloseTo(a.reconstruction![i]!, 6);
  });

  it('inserts a Reshape when shapes differ but sizes match, and refuses mismatched halves', async () => {
    const enc = extractSubgraph(subspaceAutoencoder(4, 4, 4), ['image'], ['code']);
    const dec = extractSubgraph(subspaceAutoencoder(4, 4, 4), ['code'], ['recon']);
    expect(composeEncoderDecoder(enc, dec).model.graph!.node.some((n) => n.name.includes('reshape_latent'))).toBe(false);
    const c = composeEncoderDecoder(enc, gridDecoder(4, 4));
    expect(c.model.graph!.node.some((n) => n.opType === 'Reshape' && n.name.includes('reshape_latent'))).toBe(true);
    const img = Float32Array.from({ length: 32 }, (_, i) => (i % 16) / 16);
    const out = await run(c.model, { image: new ort.Tensor('float32', img, [2, 1, 4, 4]) });
    const want = Float32Array.from(img, (v, i) => (i % 16 < 4 ? v : 0));
    expect(Array.from(out[c.model.graph!.output[0]!.name]!)).toEqual(Array.from(want));
    const wrong = extractSubgraph(subspaceAutoencoder(4, 4, 5), ['code'], ['recon']);
    expect(() => composeEncoderDecoder(enc, wrong)).toThrow(/4 values per sample.*takes \[5\]/);
  });
});

describe('the shipped MNIST autoencoder', () => {
  const path = new URL('../../resources/models/autoencoder-mnist.onnx', import.meta.url);
  it.skipIf(!existsSync(path))('splits at its 16-value latent (compression 49:1)', () => {
    const s = findBottleneck(loadModelFile(fileURLToPath(path)).model);
    expect(s.bottleneck).toMatchObject({ tensor: 'latent', elements: 16 });
    expect(s.compressionRatio).toBe(49);
    expect(s.trueBottleneck).toBe(true);
  });
});
