// findBottleneck honours the split recorded when an encoder and a decoder file are joined
// (BOTTLENECK_KEY) and falls back to detection, saying why, when the record does not fit the graph.
import { describe, expect, it } from 'vitest';
import { create, StringStringEntryProtoSchema } from '../../core/onnx/proto.ts';
import { loadModelBytes } from '../../core/onnx/load.ts';
import { composeEncoderDecoder } from '../../core/autoencoder/compose.ts';
import { BOTTLENECK_KEY, findBottleneck } from '../../core/autoencoder/bottleneck.ts';
import { shippedAutoencoder, splitShipped } from './split-shipped.ts';

const load = (b: Uint8Array) => loadModelBytes(b, { name: 'x.onnx' }).model;

describe('recorded bottleneck', () => {
  it('the join records the encoder output and detection uses it (even when larger than a decoder tensor)', () => {
    const cut = splitShipped('encoder.5');
    const { model, bottleneck } = composeEncoderDecoder(load(cut.encoder), load(cut.decoder));
    expect(bottleneck).toBe('encoder.5');
    expect(model.metadataProps.filter((m) => m.key === BOTTLENECK_KEY).map((m) => m.value)).toEqual(['encoder.5']);
    const s = findBottleneck(model);
    expect(s.bottleneck).toMatchObject({ tensor: 'encoder.5', elements: 32 * 7 * 7 });
    expect(s.chosen).toBe(false);
    expect(s.note).toContain('"decoder/latent" (16 values per sample) is smaller');
  });

  it('an encoder file carrying an old record (itself once joined) gets one fresh record', () => {
    const cut = splitShipped('latent');
    const enc = load(cut.encoder);
    const stale = { ...enc, metadataProps: [...enc.metadataProps, create(StringStringEntryProtoSchema, { key: BOTTLENECK_KEY, value: 'encoder.2' })] };
    const { model } = composeEncoderDecoder(stale, load(cut.decoder));
    expect(model.metadataProps.filter((m) => m.key === BOTTLENECK_KEY).map((m) => m.value)).toEqual(['latent']);
    expect(findBottleneck(model).bottleneck.tensor).toBe('latent');
  });

  it('a record naming no valid split falls back to the detected bottleneck, with a note', () => {
    const { model } = shippedAutoencoder();
    const marked = { ...model, metadataProps: [...model.metadataProps, create(StringStringEntryProtoSchema, { key: BOTTLENECK_KEY, value: 'no-such-tensor' })] };
    const s = findBottleneck(marked);
    expect(s.bottleneck).toMatchObject({ tensor: 'latent', elements: 16 });
    expect(s.compressionRatio).toBe(49);
    expect(s.note).toContain('the recorded bottleneck "no-such-tensor" is not a tensor every input→output path passes through');
    // Without a record: the same detection, no note.
    expect(findBottleneck(model).note).toBeUndefined();
  });
});
