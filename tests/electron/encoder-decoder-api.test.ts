// Opening an autoencoder as an encoder file + a decoder file through dispatch with the real service
// (zod validation, the open worker, grants). The files are the shipped MNIST autoencoder cut in two,
// so the joined model must reconstruct exactly as the single file does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dispatch } from '../../electron/api/dispatch.ts';
import { createService, type CallContext } from '../../electron/api/service.ts';
import type { AeInfo, AeReconstruction, OpenedModel } from '../../electron/api/contract.ts';
import type { Envelope } from '../../electron/api/methods.ts';
import { PathGrants } from '../../electron/security/grants.ts';
import { shippedAutoencoder, splitShipped } from '../autoencoder/split-shipped.ts';

const grants = new PathGrants();
const service = createService({ host: 'browser', grants });
const dir = mkdtempSync(join(tmpdir(), 'receptive-encdec-'));
afterAll(async () => { await service.close(); rmSync(dir, { recursive: true, force: true }); });

function ok<T>(r: Envelope): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.result as T;
}
const call = <T>(method: string, params: unknown, ctx: CallContext = {}) => dispatch(service, method, params, ctx).then((r) => ok<T>(r));
const fail = async (method: string, params: unknown) => {
  const r = await dispatch(service, method, params, {});
  if (r.ok) throw new Error(`${method} succeeded but should have failed`);
  return r.error;
};
const bytesPart = (name: string, data: Uint8Array) => ({ kind: 'bytes', name, data: data.slice() });
const samples = [0, 1, 7].map((index) => ({ kind: 'sample', dataset: 'mnist-test', index }));

const { encoder, decoder } = splitShipped();
let joined: OpenedModel;
let single: OpenedModel;

beforeAll(async () => {
  joined = await call<OpenedModel>('openModel', { source: { kind: 'encoder-decoder', encoder: bytesPart('enc.onnx', encoder), decoder: bytesPart('dec.onnx', decoder) } });
  single = await call<OpenedModel>('openModel', { source: { kind: 'bytes', name: 'autoencoder-mnist.onnx', data: shippedAutoencoder().bytes } });
});

describe('openModel encoder-decoder', () => {
  it('opens the joined model: named after both files, with every layer of encoder and decoder in order', () => {
    expect(joined.name).toBe('enc.onnx + dec.onnx');
    expect(joined.summary.name).toBe('enc.onnx + dec.onnx');
    expect(joined.warnings).toBeUndefined();
    const ops = (m: OpenedModel) => m.summary.layers.map((l) => l.op);
    // The shipped model has 16 nodes: 8 up to the latent code, 8 after it (incl. a Constant shape).
    expect(ops(joined)).toEqual(ops(single));
    expect(joined.summary.layers.length).toBe(16);
    // Decoder tensors are prefixed so nothing collides with the encoder's names; the latent code keeps its name.
    const outs = joined.summary.layers.map((l) => l.outputs[0]!);
    expect(outs.map((o) => o.replace(/^decoder\//, ''))).toEqual(single.summary.layers.map((l) => l.outputs[0]));
    expect(outs.filter((o) => o.startsWith('decoder/')).length).toBe(8);
    expect(outs).toContain('latent');
    expect(joined.summary.totals.params).toBe(single.summary.totals.params);
    expect(joined.summary.metadata['receptive.autoencoder.bottleneck']).toBe('latent');
    // The encoder's recorded preprocessing carries over (0..1 gray 28×28).
    expect(joined.preprocessing).toMatchObject({ size: [28, 28], channels: 1 });
  });

  it('aeInfo: the bottleneck is the encoder output, 16 values, 784/16 = 49×', async () => {
    const info = await call<AeInfo>('aeInfo', { modelId: joined.modelId });
    expect(info.bottleneck).toMatchObject({ tensor: 'latent', elements: 16 });
    expect(info.compressionRatio).toBe(49);
    expect(info.encoderNodes.length).toBe(8);
    expect(info.decoderNodes.length).toBe(8);
    expect(info.nodeParts.filter((p) => p.part === 'bottleneck').map((p) => p.output)).toEqual(['latent']);
  });

  it('aeReconstruct: the joined model rebuilds MNIST digits exactly as the single file (same weights)', async () => {
    const a = await call<AeReconstruction>('aeReconstruct', { modelId: joined.modelId, inputs: samples });
    const b = await call<AeReconstruction>('aeReconstruct', { modelId: single.modelId, inputs: samples });
    expect(a.recon.length).toBe(3 * 784);
    let maxDiff = 0;
    for (let i = 0; i < a.recon.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a.recon[i]! - b.recon[i]!));
    expect(maxDiff).toBeLessThan(1e-5);
    for (let i = 0; i < a.latents.length; i++) expect(Math.abs(a.latents[i]! - b.latents[i]!)).toBeLessThan(1e-5);
    // A trained AE rebuilds a digit well (shipped test MSE ≈ 0.012), so this is a real reconstruction.
    for (let k = 0; k < 3; k++) expect(a.scores.mean[k]).toBeLessThan(0.05);
    expect(a.scores.mean[0]).toBeCloseTo(b.scores.mean[0]!, 6);
  });

  it('honours the split recorded by the join even when a smaller tensor lies in the decoder', async () => {
    const cut = splitShipped('bottleneck.flatten');
    const m = await call<OpenedModel>('openModel', { source: { kind: 'encoder-decoder', encoder: bytesPart('e.onnx', cut.encoder), decoder: bytesPart('d.onnx', cut.decoder) } });
    const info = await call<AeInfo>('aeInfo', { modelId: m.modelId });
    expect(info.bottleneck).toMatchObject({ tensor: 'bottleneck.flatten', elements: 1568 });
    expect(info.compressionRatio).toBe(0.5);
    expect(info.note).toContain('"decoder/latent" (16 values per sample) is smaller');
    // The user can still pick the smaller one.
    expect(info.candidates.map((c) => c.tensor)).toContain('decoder/latent');
    await call('closeModel', { modelId: m.modelId });
  });

  it('joining warnings reach OpenedModel.warnings and the summary', async () => {
    const cut = splitShipped('latent', 'latent', 18);
    const m = await call<OpenedModel>('openModel', { source: { kind: 'encoder-decoder', encoder: bytesPart('e.onnx', cut.encoder), decoder: bytesPart('d.onnx', cut.decoder) } });
    expect(m.warnings).toEqual(['opset ai.onnx: encoder and decoder differ (17 vs 18); using 18']);
    expect(m.summary.warnings).toContain(m.warnings![0]);
    expect(m.summary.opsets['ai.onnx']).toBe(18);
    // Still the same network: one digit reconstructs as with the single file.
    const a = await call<AeReconstruction>('aeReconstruct', { modelId: m.modelId, inputs: samples.slice(0, 1) });
    const b = await call<AeReconstruction>('aeReconstruct', { modelId: single.modelId, inputs: samples.slice(0, 1) });
    for (let i = 0; i < 784; i += 7) expect(Math.abs(a.recon[i]! - b.recon[i]!)).toBeLessThan(1e-5);
    await call('closeModel', { modelId: m.modelId });
  });

  it('a decoder that does not take the encoder output: bad-model naming both shapes', async () => {
    const mismatched = splitShipped('latent', 'decoder.relu');
    const e = await fail('openModel', { source: { kind: 'encoder-decoder', encoder: bytesPart('enc.onnx', mismatched.encoder), decoder: bytesPart('dec.onnx', mismatched.decoder) } });
    expect(e.code).toBe('bad-model');
    expect(e.message).toContain('"enc.onnx" and "dec.onnx" do not join');
    expect(e.message).toContain('the encoder outputs [16]');
    expect(e.message).toContain('the decoder takes [1568]');
  });

  it('a malformed decoder (or encoder): bad-model naming which file', async () => {
    const junk = Uint8Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 0xff);
    const d = await fail('openModel', { source: { kind: 'encoder-decoder', encoder: bytesPart('enc.onnx', encoder), decoder: bytesPart('broken.onnx', junk) } });
    expect(d.code).toBe('bad-model');
    expect(d.message).toMatch(/^the decoder "broken\.onnx" could not be read: /);
    const en = await fail('openModel', { source: { kind: 'encoder-decoder', encoder: bytesPart('bad-enc.onnx', junk), decoder: bytesPart('dec.onnx', decoder) } });
    expect(en.code).toBe('bad-model');
    expect(en.message).toMatch(/^the encoder "bad-enc\.onnx" could not be read: /);
  });

  it('path parts open when granted and are forbidden otherwise (checked before any read)', async () => {
    const encPath = join(dir, 'encoder.onnx'), decPath = join(dir, 'decoder.onnx');
    writeFileSync(encPath, encoder);
    writeFileSync(decPath, decoder);
    const source = { kind: 'encoder-decoder', encoder: { kind: 'path', path: encPath }, decoder: { kind: 'path', path: decPath } };
    const e1 = await fail('openModel', { source });
    expect(e1.code).toBe('forbidden');
    expect(e1.message).toContain('the encoder file was not chosen');
    grants.grant(encPath);
    const e2 = await fail('openModel', { source });
    expect(e2.code).toBe('forbidden');
    expect(e2.message).toContain('the decoder file was not chosen');
    grants.grant(decPath);
    const m = await call<OpenedModel>('openModel', { source });
    expect(m.name).toBe('encoder.onnx + decoder.onnx');
    expect(m.summary.layers.length).toBe(16);
    // Mixed: a granted encoder path with decoder bytes.
    const mixed = await call<OpenedModel>('openModel', { source: { kind: 'encoder-decoder', encoder: { kind: 'path', path: encPath }, decoder: bytesPart('dec.onnx', decoder) } });
    expect(mixed.name).toBe('encoder.onnx + dec.onnx');
    await call('closeModel', { modelId: m.modelId });
    await call('closeModel', { modelId: mixed.modelId });
  });

  it('chooseModelFile passes its purpose to the host dialog (Electron asks for the encoder, then the decoder)', async () => {
    const asked: (string | undefined)[] = [];
    const svc = createService({ host: 'electron', chooseModelFile: async (purpose) => { asked.push(purpose); return join(dir, `${purpose ?? 'model'}.onnx`); } });
    try {
      for (const params of [{ purpose: 'encoder' }, { purpose: 'decoder' }, {}]) ok(await dispatch(svc, 'chooseModelFile', params, {}));
      expect(asked).toEqual(['encoder', 'decoder', undefined]);
      expect((await dispatch(svc, 'chooseModelFile', { purpose: 'weights' }, {})).ok).toBe(false);
    } finally { await svc.close(); }
  });

  it('the schema admits only path or bytes parts, strictly', async () => {
    const zooPart = await fail('openModel', { source: { kind: 'encoder-decoder', encoder: { kind: 'zoo', name: 'autoencoder' }, decoder: bytesPart('d.onnx', decoder) } });
    expect(zooPart.code).toBe('invalid-request');
    const extra = await fail('openModel', { source: { kind: 'encoder-decoder', encoder: bytesPart('e.onnx', encoder), decoder: bytesPart('d.onnx', decoder), bottleneck: 'x' } });
    expect(extra.code).toBe('invalid-request');
    const missing = await fail('openModel', { source: { kind: 'encoder-decoder', encoder: bytesPart('e.onnx', encoder) } });
    expect(missing.code).toBe('invalid-request');
  });
});
