// Application state: the host's info, the zoo list, the open model and what the user selected.
// Summaries are big and immutable, so they live in $state.raw (no deep proxies).
import type { ApiEvents, AppInfo, InputSource, ModelSource, OpenedModel, ReceptiveApi, ZooEntry } from '../../../electron/api/contract.ts';
import type { EmbedDataset } from '../../../electron/api/embed-contract.ts';
import { toHostError } from './api.ts';

export type TabId = 'graph' | 'activations' | 'filters' | 'heatmaps' | 'embeddings' | 'autoencoder' | 'review';

export interface TabDef { id: TabId; label: string; ready: boolean }

/** The views, in order. Later work turns `ready` on as each view lands. */
export const TABS: readonly TabDef[] = [
  { id: 'graph', label: 'Graph', ready: true },
  { id: 'activations', label: 'Activations', ready: true },
  { id: 'filters', label: 'Filters', ready: true },
  { id: 'heatmaps', label: 'Heatmaps', ready: true },
  { id: 'embeddings', label: 'Embeddings', ready: true },
  { id: 'autoencoder', label: 'Autoencoder', ready: true },
  { id: 'review', label: 'Review', ready: true },
];

/** Marks the moment a model's summary arrives; the graph view measures its first draw from here. */
export const MARK_MODEL_OPENED = 'receptive:model-opened';

/**
 * One view asking others to show an input (an embedding point opened in Activations and Heatmaps).
 * Not consumed: each target view applies a request whose seq it has not applied yet, so the same
 * click shows the image in both views.
 */
export interface InputRequest { seq: number; source: InputSource; label: string }

/** A view asking the Embeddings view to project a layer of a set (autoencoder bottleneck vectors). */
export interface EmbedRequest {
  seq: number;
  layer: string;
  dataset: EmbedDataset;
  limit: number;
  method: 'pca' | 'tsne' | 'umap';
  /** Colour the cloud by this when it arrives ('anomaly' = the autoencoder's per-image score). */
  colorBy: 'label' | 'anomaly';
  title: string;
}

export class AppState {
  info = $state.raw<AppInfo | null>(null);
  zoo = $state.raw<ZooEntry[]>([]);
  model = $state.raw<OpenedModel | null>(null);
  /** What is loading right now, for the header ("Opening resnet18…"); null when idle. */
  busy = $state<string | null>(null);
  progress = $state.raw<ApiEvents['progress'] | null>(null);
  error = $state<string | null>(null);
  tab = $state<TabId>('graph');
  /** Index into model.summary.layers, or null. */
  selectedLayer = $state<number | null>(null);
  /** Which zoo entry (or file name) the open model came from, for the picker. */
  sourceLabel = $state('');
  /** The autoencoder bottleneck tensor the user picked for the open model (undefined: detected); the graph's split follows it. */
  aeBottleneck = $state<string | undefined>(undefined);

  /** Latest cross-view requests (see InputRequest / EmbedRequest); cleared when another model opens. */
  inputRequest = $state.raw<InputRequest | null>(null);
  embedRequest = $state.raw<EmbedRequest | null>(null);

  private openSeq = 0;
  private requestSeq = 0;

  constructor(readonly api: ReceptiveApi) {
    api.on('progress', (p) => { this.progress = p; });
  }

  async start(): Promise<void> {
    try {
      const [info, zoo] = await Promise.all([this.api.getInfo({}), this.api.listZoo({})]);
      this.info = info;
      this.zoo = zoo;
      if (info.defaultModel && !this.model) await this.openZoo(info.defaultModel);
    } catch (e) {
      this.fail(e);
    }
  }

  openZoo(name: string): Promise<void> {
    return this.open({ kind: 'zoo', name }, name);
  }

  async openFile(file: File): Promise<void> {
    let data: Uint8Array<ArrayBuffer>;
    try {
      data = new Uint8Array(await file.arrayBuffer());
    } catch (e) {
      this.fail(new Error(`could not read ${file.name}: ${(e as Error).message}`));
      return;
    }
    const name = (file.name || 'model.onnx').slice(0, 256);
    await this.open({ kind: 'bytes', name, data }, name);
  }

  /** Electron: the host's file dialog grants the path. Returns false where there is no dialog. */
  async chooseFile(): Promise<boolean> {
    try {
      const chosen = await this.api.chooseModelFile({});
      if (!chosen) return this.info?.host === 'electron';
      await this.open({ kind: 'path', path: chosen.path }, chosen.path.split(/[\\/]/).pop() ?? chosen.path);
      return true;
    } catch (e) {
      this.fail(e);
      return true;
    }
  }

  /** An autoencoder as two files (browser host): the encoder's output feeds the decoder. */
  async openEncoderDecoder(encoder: File, decoder: File): Promise<void> {
    const parts: { name: string; data: Uint8Array<ArrayBuffer> }[] = [];
    for (const [role, f] of [['encoder', encoder], ['decoder', decoder]] as const) {
      try {
        parts.push({ name: (f.name || `${role}.onnx`).slice(0, 256), data: new Uint8Array(await f.arrayBuffer()) });
      } catch (e) {
        this.fail(new Error(`could not read the ${role} ${f.name}: ${(e as Error).message}`));
        return;
      }
    }
    const [enc, dec] = parts as [typeof parts[0], typeof parts[0]];
    await this.open({ kind: 'encoder-decoder', encoder: { kind: 'bytes', ...enc }, decoder: { kind: 'bytes', ...dec } }, `${enc.name} + ${dec.name}`);
  }

  /** Electron: the encoder, then the decoder, through the host's file dialog (which grants both paths).
   *  Returns false where there is no dialog (the browser host: use openEncoderDecoder). */
  async chooseEncoderDecoder(): Promise<boolean> {
    try {
      const enc = await this.api.chooseModelFile({ purpose: 'encoder' });
      if (!enc) return this.info?.host === 'electron';
      const dec = await this.api.chooseModelFile({ purpose: 'decoder' });
      if (!dec) return true;
      const base = (p: string) => p.split(/[\\/]/).pop() ?? p;
      await this.open({ kind: 'encoder-decoder', encoder: { kind: 'path', path: enc.path }, decoder: { kind: 'path', path: dec.path } }, `${base(enc.path)} + ${base(dec.path)}`);
      return true;
    } catch (e) {
      this.fail(e);
      return true;
    }
  }

  async open(source: ModelSource, label: string): Promise<void> {
    // A newer choice supersedes a model still opening: stop that work in the host.
    if (this.busy) void this.api.cancel({ jobId: `open-${this.openSeq}` }).catch(() => {});
    const seq = ++this.openSeq;
    this.busy = `Opening ${label}…`;
    this.progress = null;
    try {
      const opened = await this.api.openModel({ source, jobId: `open-${seq}` });
      if (seq !== this.openSeq) { void this.api.closeModel({ modelId: opened.modelId }).catch(() => {}); return; }
      performance.clearMarks(MARK_MODEL_OPENED);
      performance.mark(MARK_MODEL_OPENED);
      const previous = this.model;
      this.model = opened;
      this.sourceLabel = label;
      this.selectedLayer = null;
      this.aeBottleneck = undefined;
      this.inputRequest = null;
      this.embedRequest = null;
      this.error = null;
      if (previous) void this.api.closeModel({ modelId: previous.modelId }).catch(() => {});
    } catch (e) {
      if (seq === this.openSeq) this.fail(e, label);
    } finally {
      if (seq === this.openSeq) this.busy = null;
    }
  }

  /** Show `source` in Activations and Heatmaps; switch to `tab` (one of them) now. */
  showInput(source: InputSource, label: string, tab: 'activations' | 'heatmaps' = 'activations'): void {
    this.inputRequest = { seq: ++this.requestSeq, source, label };
    this.tab = tab;
  }

  /** Project a layer of a set in the Embeddings view and switch to it. */
  showEmbedding(req: Omit<EmbedRequest, 'seq'>): void {
    this.embedRequest = { ...req, seq: ++this.requestSeq };
    this.tab = 'embeddings';
  }

  fail(e: unknown, label?: string): void {
    const msg = toHostError(e).message;
    this.error = label ? `Could not open ${label}: ${msg}` : msg;
  }

  dismissError(): void {
    this.error = null;
  }
}
