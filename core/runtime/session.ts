// Inference off the caller's event loop: one worker thread per Runtime owns the onnxruntime
// sessions; tensors cross as typed arrays (outputs transferred, inputs cloned unless asked).
// A worker that dies rejects its pending calls; the next call starts a new worker and reloads
// the models it needs.
import { Worker } from 'node:worker_threads';
import type { Tensor } from '../tensor.ts';
import type { LoadResult, Request, Response, SessionSettings, ValueInfo } from './messages.ts';
import {
  selectProvider, type ConcreteProvider, type ProviderChoice, type ProviderProbe, type ProviderReport,
} from './providers.ts';
import { transferablesOf } from './tensors.ts';
import { tsWorkerBootstrap } from './ts-worker.ts';

export type Feeds = Record<string, Tensor>;
export type { SessionSettings, ValueInfo };

export interface RuntimeOptions {
  provider?: ProviderChoice;
  /** Replaces the provider probe (tests). */
  probe?: ProviderProbe;
  /** Applied to every session this runtime creates. */
  settings?: SessionSettings;
}

export interface RunOptions {
  /** Fetch only these outputs (graph outputs; see core/onnx/expose.ts for intermediate ones). */
  outputs?: string[];
  signal?: AbortSignal;
  /** Move the input buffers to the worker instead of copying them (the caller's arrays become empty). */
  transferInputs?: boolean;
}

export interface BatchOptions {
  outputs?: string[];
  signal?: AbortSignal;
  /** Called after each batch completes. */
  onProgress?: (done: number, total: number) => void;
}

/** Batches produced on demand, so a long job need not hold every input in memory. */
export interface BatchSource { count: number; get(index: number): Feeds | Promise<Feeds> }

/** Thrown when a run is cancelled through its AbortSignal (name 'AbortError', like fetch). */
export class CancelledError extends Error {
  readonly code = 'cancelled';
  constructor(message = 'the job was cancelled') {
    super(message);
    this.name = 'AbortError';
  }
}

/** The worker stopped while calls were pending (a native crash, out of memory, terminate). */
export class WorkerCrashError extends Error {
  readonly code = 'internal';
  constructor(message: string) {
    super(message);
    this.name = 'WorkerCrashError';
  }
}

interface Pending { resolve(v: unknown): void; reject(e: Error): void }

// Running from source (.ts) the worker needs tsx; `execArgv: ['--import', 'tsx']` does not reach
// worker threads on Node 20, so a tiny eval bootstrap registers tsx inside the worker first.
// A bundled build ships worker.js and starts it plainly.
function startWorker(): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return new Worker(tsWorkerBootstrap(new URL('./worker.ts', here).href, here, true), { eval: true, execArgv: [] });
  return new Worker(new URL('./worker.js', here), { execArgv: [] });
}

export class Runtime {
  private worker: Worker | undefined;
  private generation = 0;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private disposed = false;

  private constructor(readonly report: ProviderReport, readonly settings: SessionSettings) {}

  get provider(): ConcreteProvider { return this.report.chosen as ConcreteProvider; }

  static async create(opts: RuntimeOptions = {}): Promise<Runtime> {
    const report = await selectProvider(opts.provider ?? 'auto', { probe: opts.probe });
    return new Runtime(report, opts.settings ?? {});
  }

  /** Compile a model in the worker. The bytes are copied; the caller keeps its array. */
  async load(modelBytes: Uint8Array, opts: { name?: string } = {}): Promise<RuntimeModel> {
    const bytes = modelBytes.slice(); // kept for reloading after a worker restart
    const { result, generation } = await this.loadIn(bytes);
    return new RuntimeModel(this, opts.name ?? 'model', bytes, result, generation);
  }

  /** @internal */
  async loadIn(bytes: Uint8Array): Promise<{ result: LoadResult; generation: number }> {
    const result = await this.call<LoadResult>({ type: 'load', bytes, provider: this.provider, settings: this.settings });
    return { result, generation: this.generation };
  }

  /** @internal — also used by RuntimeModel to check whether its session survived. */
  get currentGeneration(): number { return this.worker ? this.generation : -1; }

  /** @internal */
  call<T>(req: DistributiveOmit<Request, 'id'>, transfer: ArrayBuffer[] = [], signal?: AbortSignal): Promise<T> {
    if (this.disposed) return Promise.reject(new Error('this runtime was disposed'));
    if (signal?.aborted) return Promise.reject(new CancelledError());
    const w = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        // onnxruntime cannot interrupt a run; the result is dropped when it arrives.
        if (this.pending.delete(id)) { this.idle(); reject(new CancelledError()); }
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (v) => { signal?.removeEventListener('abort', onAbort); resolve(v as T); },
        reject: (e) => { signal?.removeEventListener('abort', onAbort); reject(e); },
      });
      w.ref();
      w.postMessage({ ...req, id } as Request, transfer);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = startWorker();
    this.generation++;
    let lastError: Error | undefined;
    w.on('message', (msg: Response | { bootError: string }) => {
      if ('bootError' in msg) { lastError = new Error(`the worker could not start: ${msg.bootError}`); return; }
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else {
        const e = new Error(msg.error.message);
        e.name = msg.error.name === 'Error' ? 'InferenceError' : msg.error.name;
        p.reject(e);
      }
      this.idle();
    });
    w.on('error', (e) => { lastError = e; });
    w.on('exit', (code) => {
      if (this.worker === w) this.worker = undefined;
      const why = lastError ? `: ${lastError.message}` : '';
      const err = this.disposed
        ? new Error('this runtime was disposed')
        : new WorkerCrashError(`the inference worker stopped unexpectedly (exit code ${code}${why}); the pending call did not complete — calling again restarts the worker`);
      const calls = [...this.pending.values()];
      this.pending.clear();
      for (const p of calls) p.reject(err);
    });
    this.worker = w;
    return w;
  }

  private idle(): void {
    if (this.pending.size === 0) this.worker?.unref(); // an idle worker must not keep the process alive
  }

  /** Test hook: kill the worker as a native crash would. */
  async crashWorkerForTest(): Promise<void> {
    await this.call({ type: 'crash' }).catch(() => undefined);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export class RuntimeModel {
  readonly inputs: ValueInfo[];
  readonly outputs: ValueInfo[];
  private handle: number;
  private generation: number;
  private reloading: Promise<void> | undefined;
  private released = false;

  /** @internal — created by Runtime.load. */
  constructor(private readonly runtime: Runtime, readonly name: string, private readonly bytes: Uint8Array, loaded: LoadResult, generation: number) {
    this.inputs = loaded.inputs;
    this.outputs = loaded.outputs;
    this.handle = loaded.handle;
    this.generation = generation;
  }

  get inputNames(): string[] { return this.inputs.map((i) => i.name); }
  get outputNames(): string[] { return this.outputs.map((o) => o.name); }

  /** After a worker restart this model's session is gone: compile it again in the new worker. */
  private async ensureSession(): Promise<void> {
    if (this.released) throw new Error(`model ${this.name} was disposed`);
    if (this.generation === this.runtime.currentGeneration) return;
    this.reloading ??= this.runtime.loadIn(this.bytes).then(({ result, generation }) => {
      this.handle = result.handle;
      this.generation = generation;
    }).finally(() => { this.reloading = undefined; });
    await this.reloading;
  }

  async run(feeds: Feeds, opts: RunOptions = {}): Promise<Feeds> {
    if (opts.signal?.aborted) throw new CancelledError();
    for (const name of Object.keys(feeds)) {
      if (!this.inputNames.includes(name)) throw new Error(`model ${this.name} has no input '${name}' (inputs: ${this.inputNames.join(', ')})`);
    }
    if (opts.outputs) {
      const unknown = opts.outputs.filter((o) => !this.outputNames.includes(o));
      if (unknown.length) throw new Error(`model ${this.name} has no output ${unknown.map((u) => `'${u}'`).join(', ')} (outputs: ${this.outputNames.join(', ')})`);
    }
    await this.ensureSession();
    const transfer = opts.transferInputs ? transferablesOf(feeds) : [];
    return this.runtime.call<Feeds>({ type: 'run', handle: this.handle, feeds, outputs: opts.outputs }, transfer, opts.signal);
  }

  /** Run batches one after another; cancellation is checked between batches. */
  async runBatches(batches: readonly Feeds[] | BatchSource, opts: BatchOptions = {}): Promise<Feeds[]> {
    const src: BatchSource = Array.isArray(batches)
      ? { count: batches.length, get: (i) => (batches as readonly Feeds[])[i]! }
      : batches as BatchSource;
    const out: Feeds[] = [];
    for (let i = 0; i < src.count; i++) {
      if (opts.signal?.aborted) throw new CancelledError(`cancelled after ${i} of ${src.count} batches`);
      const feeds = await src.get(i);
      out.push(await this.run(feeds, { outputs: opts.outputs, signal: opts.signal }));
      opts.onProgress?.(i + 1, src.count);
    }
    return out;
  }

  async dispose(): Promise<void> {
    if (this.released) return;
    this.released = true;
    if (this.generation === this.runtime.currentGeneration) {
      await this.runtime.call({ type: 'release', handle: this.handle }).catch(() => undefined);
    }
  }
}
