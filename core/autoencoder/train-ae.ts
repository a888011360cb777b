// Training a zoo convolutional autoencoder on digits or on a folder of images, through core/train
// (minibatch gradients from core/autodiff, Adam, cosine schedule). Images become gray uint8 at the
// chosen size; 10 % of a folder is held out to report test MSE. Saved with its preprocessing.
import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import sharp from 'sharp';
import { loadMnist } from '../data/idx.ts';
import { loadFashion } from '../data/fashion.ts';
import { PREPROCESSING_KEY, type Preprocessing } from '../data/types.ts';
import { buildZooModel } from '../zoo/index.ts';
import { imageSet, subset, type ImageSet } from '../train/batches.ts';
import { train, type TrainProgress, type TrainResult } from '../train/trainer.ts';

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.webp', '.bmp']);
export const MAX_FOLDER_IMAGES = 200_000;

export interface TrainingData { train: ImageSet; test?: ImageSet; size: number; source: string }

/**
 * Image files under `dir`, recursively, sorted, hidden entries skipped. More than `max` is an error
 * made by `tooMany` (the caller says what to do instead).
 */
export function listImageFiles(dir: string, max: number, tooMany: (message: string) => Error): string[] {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.startsWith('.')) continue;
      if (e.isDirectory()) walk(join(d, e.name));
      else if (IMAGE_EXT.has(extname(e.name).toLowerCase())) files.push(join(d, e.name));
      if (files.length > max) throw tooMany(`${dir}: more than ${max} images`);
    }
  };
  walk(dir);
  return files;
}

/** All images under `dir` (recursively, sorted), as gray uint8 at size×size. */
async function folderImages(dir: string, size: number): Promise<ImageSet> {
  const files = listImageFiles(dir, MAX_FOLDER_IMAGES, (m) => new Error(`${m}; train on a smaller folder`));
  if (files.length < 2) throw new Error(`${dir}: found ${files.length} image(s) (PNG, JPEG, TIFF, WebP); training needs at least 2`);
  const plane = size * size, images = new Uint8Array(files.length * plane);
  for (let i = 0; i < files.length; i++) {
    try {
      const buf = await sharp(files[i]!).removeAlpha().toColourspace('b-w').resize(size, size, { fit: 'fill' }).raw().toBuffer();
      images.set(buf.subarray(0, plane), i * plane);
    } catch (e) {
      throw new Error(`${files[i]}: cannot read this image (${(e as Error).message})`);
    }
  }
  return { images, count: files.length, channels: 1, height: size, width: size };
}

/** `mnist`, `fashion`, or a folder of images; size applies to folders (datasets are 28×28). */
export async function loadTrainingData(spec: string, size = 28, testLimit = 2000): Promise<TrainingData> {
  if (spec === 'mnist' || spec === 'fashion') {
    const load = spec === 'mnist' ? loadMnist : loadFashion;
    return { train: imageSet(load('train')), test: subset(imageSet(load('test')), testLimit), size: 28, source: spec };
  }
  let st;
  try { st = statSync(spec); } catch { throw new Error(`"${spec}" is not mnist, fashion, or a folder of images`); }
  if (!st.isDirectory()) throw new Error(`"${spec}" is not a folder; give a folder of images, mnist or fashion`);
  const all = await folderImages(spec, size);
  const nTest = Math.max(1, Math.floor(all.count / 10));
  const nTrain = all.count - nTest, plane = size * size;
  // The last tenth (in sorted file order) is held out.
  return {
    train: { ...all, count: nTrain, images: all.images.subarray(0, nTrain * plane) },
    test: { ...all, count: nTest, images: all.images.subarray(nTrain * plane) },
    size, source: spec,
  };
}

export interface TrainAeOptions {
  data: TrainingData;
  latent: number;
  depth: number;
  epochs: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  outPath?: string;
  maxStepsPerEpoch?: number;
  signal?: AbortSignal;
  onProgress?: (p: TrainProgress) => void;
  threads?: number;
}

export async function trainAutoencoder(o: TrainAeOptions): Promise<TrainResult> {
  const prep: Preprocessing = { size: [o.data.size, o.data.size], channels: 1, mean: [0], std: [1], preset: 'unit', resize: 'stretch' };
  const model = buildZooModel('autoencoder', { seed: o.seed ?? 0, batch: 'N', latent: o.latent, depth: o.depth, inputSize: o.data.size });
  return train({
    model, task: 'reconstruction', loss: 'mse', train: o.data.train, test: o.data.test, preprocessing: prep,
    epochs: o.epochs, batchSize: o.batchSize ?? 64, lr: o.lr ?? 2e-3, optimizer: { kind: 'adam' }, schedule: { kind: 'cosine', minFactor: 0.02 },
    seed: o.seed ?? 0, maxStepsPerEpoch: o.maxStepsPerEpoch, signal: o.signal, onProgress: o.onProgress, outPath: o.outPath,
    metadata: { [PREPROCESSING_KEY]: JSON.stringify(prep), 'receptive.autoencoder.source': o.data.source }, threads: o.threads, progressEvery: 5,
  });
}
