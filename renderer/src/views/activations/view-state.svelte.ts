// What the Activations view remembers per open model (input, layer, display choices), so that
// switching tabs and coming back shows the same thing without asking the host again.
import type { InputSet, InputSource, OpenedModel } from '../../../../electron/api/contract.ts';
import type { PrepOverrides } from './prep-form.ts';
import type { NormMode, SortMode } from '../../lib/tile-grid.ts';
import { ActivationCache } from './activation-cache.ts';

export type { PrepForm } from './prep-form.ts';
import type { PrepForm } from './prep-form.ts';

export class ActivationsViewState {
  input = $state.raw<InputSet | null>(null);
  /** How the current input was made, to make it again (e.g. after the host forgot it). */
  source = $state.raw<InputSource | null>(null);
  /** Where the current input came from when another view sent it ("from embedding: …"), else null. */
  origin = $state<string | null>(null);
  /** The last app.inputRequest applied here (not reactive: it only guards against applying twice). */
  appliedRequest = 0;
  layer = $state<string | null>(null);
  colormap = $state('viridis');
  norm = $state<NormMode>('channel');
  sort = $state<'index' | SortMode>('index');
  /** Channel shown in the large view, or null. */
  channel = $state<number | null>(null);
  opacity = $state(0.6);
  prep = $state<PrepForm | null>(null);
  /** Preprocessing the user applied (sent with every later setInput), or null for the model's own. */
  overrides = $state.raw<PrepOverrides | null>(null);
  /** 0 = fit the view; else a whole scale factor. */
  zoom = $state(0);
  sampleDataset = $state<'mnist-test' | 'fashion-test'>('mnist-test');
  sampleIndex = $state(0);
  readonly cache = new ActivationCache();
  /** The first input was requested (not reactive: it only guards against asking twice). */
  autoInputTried = false;
}

const states = new WeakMap<OpenedModel, ActivationsViewState>();

export function viewStateFor(model: OpenedModel): ActivationsViewState {
  let s = states.get(model);
  if (!s) states.set(model, (s = new ActivationsViewState()));
  return s;
}
