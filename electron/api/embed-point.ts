// The image behind one point of a kept embedding, for the `{ kind: 'embedding' }` input source
// (issue #6 §3: a click in the cloud opens that image in Activations and Heatmaps). Gray sets
// (MNIST/Fashion train or test, IDX files) give the stored 8-bit plane; folder and CSV sets give the
// ORIGINAL file, so the other views see the full-size image the user has, not a thumbnail.
import { basename, dirname } from 'node:path';
import type { ImageSet } from '../../core/features/index.ts';
import type { SampleDatasetId } from '../../core/activations/samples.ts';
import { ApiFailure } from './errors.ts';

type PointMeta = {
  name: string; label?: number; labelName?: string;
  /** Set when the point is a row of a shipped sample dataset (the input pickers can step on from it). */
  sample?: { dataset: SampleDatasetId; index: number };
};
export type EmbedPointImage =
  | (PointMeta & { kind: 'gray'; width: number; height: number; pixels: Uint8Array })
  | (PointMeta & { kind: 'path'; path: string });

/** embeddingId, index → the point's image; throws ApiFailure (not-found / invalid-request). */
export type EmbedPointResolver = (embeddingId: string, index: number) => EmbedPointImage;
/** What the embedding service offers (embed-methods.ts `point`). */
export type EmbedPointLookup = (embeddingId: string, index: number) => { set: ImageSet; index: number };

// core/activations/samples.ts SAMPLE_DATASETS, not imported: the host loads core modules on first use.
const SAMPLE_SETS: readonly SampleDatasetId[] = ['mnist-test', 'fashion-test'];

export function pointImage(set: ImageSet, index: number): EmbedPointImage {
  const raw = set.labels?.[index];
  const label = raw !== undefined && raw >= 0 ? raw : undefined;
  const truth = label !== undefined ? { label, labelName: set.classNames?.[label] ?? String(label) } : {};
  if (set.kind === 'gray') {
    // Shipped sets are embedded as a prefix, so a point's index is its dataset row.
    const row = index;
    const dataset = set.fingerprint.startsWith('builtin:') ? SAMPLE_SETS.find((d) => d === set.name) : undefined;
    const builtin = dataset ? { sample: { dataset, index: row } } : {};
    return { ...truth, ...builtin, kind: 'gray', name: `${set.name} #${row}`, width: set.width, height: set.height, pixels: set.pixels(index) };
  }
  const path = set.paths[index]!;
  // Class folder and file name: the part that tells images of a set apart.
  return { ...truth, kind: 'path', name: `${basename(dirname(path))}/${basename(path)}`, path };
}

/**
 * A resolver over the embedding service's lookup. The service keeps only the last few embeddings;
 * an id it no longer has gets a message a user can act on (the renderer shows it as is).
 */
export function embedPointResolver(lookup: EmbedPointLookup | undefined): EmbedPointResolver {
  return (embeddingId, index) => {
    if (!lookup) throw new ApiFailure('invalid-request', 'this host has no embeddings; open the image as a sample or a file instead');
    let hit: { set: ImageSet; index: number };
    try { hit = lookup(embeddingId, index); } catch (e) {
      if (e instanceof ApiFailure && e.code === 'not-found') {
        throw new ApiFailure('not-found', `the embedding this point came from ("${embeddingId}") is no longer kept (the host keeps the last few); run the embedding again and open the point from the new cloud`);
      }
      if (e instanceof ApiFailure) throw new ApiFailure(e.code, `cannot open embedding point ${index}: ${e.message}`);
      throw e;
    }
    return pointImage(hit.set, hit.index);
  };
}
