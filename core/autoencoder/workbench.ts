// An opened autoencoder: the full model with its bottleneck exposed (one run gives reconstruction and
// latent code) and, on first use, the decoder half cut out at the bottleneck (latent → image).
// Inference runs in the core/runtime worker. Tensors here are model-space NCHW floats.
import type { ModelProto } from '../onnx/proto.ts';
import { exposeOutputs } from '../onnx/expose.ts';
import { saveModelBytes } from '../onnx/save.ts';
import type { Preprocessing } from '../data/types.ts';
import { preprocessingOf } from '../data/preprocessing.ts';
import type { Runtime, RuntimeModel } from '../runtime/index.ts';
import { findBottleneck, splitAt, type AeSplit } from './bottleneck.ts';
import { extractSubgraph } from './extract.ts';

export interface WorkbenchOptions {
  name?: string;
  /** Split here instead of the detected bottleneck. */
  bottleneck?: string;
  preprocessing?: Preprocessing;
  /** For sidecar lookup (MODEL.json). */
  modelPath?: string;
}

export interface ForwardResult { recon: Float32Array; latent: Float32Array; n: number }

export class AutoencoderWorkbench {
  private decoderModel: Promise<RuntimeModel> | undefined;

  private constructor(
    readonly name: string,
    readonly model: ModelProto,
    readonly split: AeSplit,
    readonly preprocessing: Preprocessing,
    private readonly runtime: Runtime,
    private readonly full: RuntimeModel,
    /** Fixed batch size of the model's input, or undefined when the batch is symbolic. */
    readonly fixedBatch: number | undefined,
  ) {}

  static async open(runtime: Runtime, model: ModelProto, opts: WorkbenchOptions = {}): Promise<AutoencoderWorkbench> {
    const split = opts.bottleneck ? splitAt(model, opts.bottleneck) : findBottleneck(model);
    const prep = opts.preprocessing ?? preprocessingOf(model, { modelPath: opts.modelPath }).preprocessing;
    const dims = split.input.shape.slice(1);
    if (dims.length !== 3 || !dims.every((d) => typeof d === 'number')) {
      throw new Error(`the autoencoder input is [${split.input.shape.join(', ')}]; the workbench needs images [N, C, H, W]`);
    }
    const [c, h, w] = dims as number[];
    if (c !== prep.channels || h !== prep.size[0] || w !== prep.size[1]) {
      throw new Error(`the model takes ${c}×${h}×${w} images but its preprocessing says ${prep.channels}×${prep.size[0]}×${prep.size[1]}; fix the sidecar or metadata`);
    }
    const outPer = split.output.elements;
    if (outPer !== split.input.elements) throw new Error(`the output "${split.output.tensor}" holds ${outPer} values per sample but the input ${split.input.elements}; an autoencoder reconstructs its input`);
    const exposed = exposeOutputs(model, [split.bottleneck.tensor]);
    const rm = await runtime.load(saveModelBytes(exposed), { name: opts.name ?? 'autoencoder' });
    const declared = rm.inputs.find((i) => i.name === split.input.tensor)?.dims[0];
    return new AutoencoderWorkbench(opts.name ?? (model.graph?.name || 'autoencoder'), model, split, prep, runtime, rm, typeof declared === 'number' ? declared : undefined);
  }

  get sampleDims(): [number, number, number] { return this.split.input.shape.slice(1) as [number, number, number]; }
  get sampleSize(): number { return this.split.input.elements; }
  get latentSize(): number { return this.split.bottleneck.elements; }

  /** Reconstruction and latent codes of `n` images (NCHW, model space). Honours a fixed model batch by splitting/padding. */
  async forward(x: Float32Array, n: number, signal?: AbortSignal): Promise<ForwardResult> {
    const per = this.sampleSize, lat = this.latentSize;
    if (x.length !== n * per) throw new Error(`forward: ${x.length} values for ${n} images of ${per}`);
    const recon = new Float32Array(n * per), latent = new Float32Array(n * lat);
    const step = this.fixedBatch ?? Math.max(n, 1);
    for (let from = 0; from < n; from += step) {
      const k = Math.min(step, n - from);
      const b = this.fixedBatch ?? k;
      const feed = new Float32Array(b * per);
      feed.set(x.subarray(from * per, (from + k) * per));
      const out = await this.full.run({ [this.split.input.tensor]: { dtype: 'float32', dims: [b, ...this.sampleDims], data: feed } },
        { outputs: [this.split.output.tensor, this.split.bottleneck.tensor], signal, transferInputs: true });
      recon.set((out[this.split.output.tensor]!.data as Float32Array).subarray(0, k * per), from * per);
      latent.set((out[this.split.bottleneck.tensor]!.data as Float32Array).subarray(0, k * lat), from * lat);
    }
    return { recon, latent, n };
  }

  /** The decoder half (bottleneck → output), cut out of the model on first use. */
  private decoder(): Promise<RuntimeModel> {
    this.decoderModel ??= (async () => {
      const sub = extractSubgraph(this.model, [this.split.bottleneck.tensor], [this.split.output.tensor]);
      return this.runtime.load(saveModelBytes(sub), { name: `${this.name} decoder` });
    })();
    this.decoderModel.catch(() => { this.decoderModel = undefined; });
    return this.decoderModel;
  }

  /** Decode `n` latent codes (n × latentSize) to images. */
  async decode(z: Float32Array, n: number, signal?: AbortSignal): Promise<Float32Array> {
    const lat = this.latentSize, per = this.sampleSize;
    if (z.length !== n * lat) throw new Error(`decode: ${z.length} values for ${n} codes of ${lat}`);
    const dec = await this.decoder();
    const latDims = this.split.bottleneck.shape.slice(1) as number[];
    const out = new Float32Array(n * per);
    const step = this.fixedBatch ?? Math.max(n, 1);
    for (let from = 0; from < n; from += step) {
      const k = Math.min(step, n - from), b = this.fixedBatch ?? k;
      const feed = new Float32Array(b * lat);
      feed.set(z.subarray(from * lat, (from + k) * lat));
      const r = await dec.run({ [this.split.bottleneck.tensor]: { dtype: 'float32', dims: [b, ...latDims], data: feed } }, { signal, transferInputs: true });
      out.set((r[this.split.output.tensor]!.data as Float32Array).subarray(0, k * per), from * per);
    }
    return out;
  }

  /** Model space → [0, 1] pixels (undo the normalisation), in place on a copy. */
  toPixels(x: Float32Array): Float32Array {
    const [c, h, w] = this.sampleDims, plane = h * w, out = new Float32Array(x.length);
    const { mean, std } = this.preprocessing;
    for (let i = 0; i < x.length; i++) {
      const ch = Math.floor(i / plane) % c;
      out[i] = x[i]! * (std[ch] ?? std[0]!) + (mean[ch] ?? mean[0]!);
    }
    return out;
  }

  fromPixels(p: Float32Array): Float32Array {
    const [c, h, w] = this.sampleDims, plane = h * w, out = new Float32Array(p.length);
    const { mean, std } = this.preprocessing;
    for (let i = 0; i < p.length; i++) {
      const ch = Math.floor(i / plane) % c;
      out[i] = (p[i]! - (mean[ch] ?? mean[0]!)) / (std[ch] ?? std[0]!);
    }
    return out;
  }

  /** Value range of one model-space unit: SSIM's L (1 / std for [0, 1] pixels). */
  get dataRange(): number { return 1 / Math.min(...this.preprocessing.std); }

  async dispose(): Promise<void> {
    await this.full.dispose();
    const d = this.decoderModel;
    this.decoderModel = undefined;
    if (d) await d.then((m) => m.dispose(), () => undefined);
  }
}
