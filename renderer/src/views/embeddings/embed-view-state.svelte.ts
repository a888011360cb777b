// What the Embeddings view remembers per open model (form, result, colouring, selection), so that
// switching to Activations/Heatmaps from a selected point and coming back shows the same cloud.
import type { EmbedDataset, EmbedResult, OpenedModel } from '../../../../electron/api/contract.ts';
import type { ColourBy } from './colors.ts';

export type BuiltinDataset = 'mnist-test' | 'mnist-train' | 'mnist-all' | 'fashion-test' | 'fashion-train' | 'fashion-all' | 'mnist-fashion-test';
export type SelectTool = 'box' | 'lasso';

export class EmbedViewState {
  dataset = $state<BuiltinDataset>('mnist-test');
  /** A dataset that came with a request and is not one of the built-in ones (a granted path). */
  customDataset = $state.raw<EmbedDataset | null>(null);
  limit = $state(2000);
  source = $state<'layer' | 'pixels'>('layer');
  layer = $state('');
  pool = $state(true);
  method = $state<'pca' | 'tsne' | 'umap'>('pca');
  dims = $state<2 | 3>(2);
  perplexity = $state(30);
  iterations = $state(500);
  colourBy = $state<ColourBy>('label');
  searchClass = $state(-1);
  tool = $state<SelectTool>('box');

  result = $state.raw<EmbedResult | null>(null);
  labels = $state.raw<Int32Array | null>(null);
  predictions = $state.raw<Int32Array | null>(null);
  phase = $state<'idle' | 'running' | 'ready' | 'error'>('idle');
  error = $state<string | null>(null);
  progress = $state<{ done: number; total: number; message: string } | null>(null);
  jobId = $state<string | null>(null);
  /** The running embedStart call, so a request arriving mid-run can wait for it to stop. */
  running: Promise<void> | null = null;
  selected = $state(-1);
  /** Points of the last box or lasso selection. */
  region = $state.raw<number[]>([]);
  /** Where the current cloud came from when another view asked for it (its title), else null. */
  origin = $state<string | null>(null);
  /** The last app.embedRequest applied here (not reactive: it only guards against applying twice). */
  appliedRequest = 0;
}

const states = new WeakMap<OpenedModel, EmbedViewState>();

export function embedStateFor(model: OpenedModel): EmbedViewState {
  let s = states.get(model);
  if (!s) {
    s = new EmbedViewState();
    if (model.name.includes('fashion')) s.dataset = 'fashion-test';
    states.set(model, s);
  }
  return s;
}
