// The shipped MNIST autoencoder cut into an encoder file and a decoder file (same weights), for the
// encoder + decoder opening tests. The cut is a tensor every path passes through ('latent' by default).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ModelProtoSchema, toBinary, type ModelProto } from '../../core/onnx/proto.ts';
import { loadModelBytes } from '../../core/onnx/load.ts';
import { extractSubgraph } from '../../core/autoencoder/extract.ts';

export const SHIPPED_AE_PATH = fileURLToPath(new URL('../../resources/models/autoencoder-mnist.onnx', import.meta.url));

export function shippedAutoencoder(): { model: ModelProto; bytes: Uint8Array } {
  const bytes = new Uint8Array(readFileSync(SHIPPED_AE_PATH));
  return { model: loadModelBytes(bytes, { name: 'autoencoder-mnist.onnx' }).model, bytes };
}

/** Encoder (input → cut) and decoder (decoderFrom → reconstruction) as ONNX bytes; `decoderOpset`
 *  re-declares the decoder's ai.onnx opset (its ops mean the same at 17 and 18), so joining warns. */
export function splitShipped(cut = 'latent', decoderFrom = cut, decoderOpset?: number): { encoder: Uint8Array; decoder: Uint8Array } {
  const { model } = shippedAutoencoder();
  const decoder = extractSubgraph(model, [decoderFrom], ['reconstruction']);
  if (decoderOpset !== undefined) {
    decoder.opsetImport = decoder.opsetImport.map((o) => (o.domain === '' ? { ...o, version: BigInt(decoderOpset) } : o));
  }
  return {
    encoder: toBinary(ModelProtoSchema, extractSubgraph(model, ['input'], [cut])),
    decoder: toBinary(ModelProtoSchema, decoder),
  };
}
