// Parameter updates computed in JS from the gradients the ONNX gradient model returns.
// Conventions follow PyTorch so results can be compared with it:
//  - SGD: weight decay is L2 by default (g += wd·w before momentum, torch.optim.SGD); 'decoupled' applies
//    w -= lr·wd·w separately (SGDW). Momentum buffer v = μ·v + g (no dampening); Nesterov uses g + μ·v.
//  - Adam: bias-corrected moments (torch.optim.Adam); weight decay is decoupled (AdamW: w -= lr·wd·w).
export type ParamSet = Map<string, Float32Array>;

export interface SgdConfig {
  kind: 'sgd';
  momentum?: number;
  nesterov?: boolean;
  weightDecay?: number;
  weightDecayMode?: 'l2' | 'decoupled';
}

export interface AdamConfig {
  kind: 'adam';
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Decoupled (AdamW). */
  weightDecay?: number;
}

export type OptimizerConfig = SgdConfig | AdamConfig;

export interface Optimizer {
  readonly config: Required<SgdConfig> | Required<AdamConfig>;
  /** Update `params` in place from `grads` (same names and sizes) with learning rate `lr`.
   *  Parameters named in `noDecay` (e.g. biases) get no weight decay. */
  step(params: ParamSet, grads: ParamSet, lr: number): void;
  /** Number of steps taken. */
  readonly steps: number;
}

function checkGrad(name: string, p: Float32Array, g: Float32Array | undefined): Float32Array {
  if (!g) throw new Error(`optimizer: no gradient for parameter ${name}`);
  if (g.length !== p.length) throw new Error(`optimizer: gradient for ${name} has ${g.length} values, parameter has ${p.length}`);
  return g;
}

export class Sgd implements Optimizer {
  readonly config: Required<SgdConfig>;
  private readonly velocity = new Map<string, Float32Array>();
  steps = 0;

  constructor(cfg: Omit<SgdConfig, 'kind'> = {}, private readonly noDecay: ReadonlySet<string> = new Set()) {
    this.config = {
      kind: 'sgd', momentum: cfg.momentum ?? 0, nesterov: cfg.nesterov ?? false,
      weightDecay: cfg.weightDecay ?? 0, weightDecayMode: cfg.weightDecayMode ?? 'l2',
    };
    if (this.config.nesterov && this.config.momentum <= 0) throw new Error('SGD: Nesterov momentum needs momentum > 0');
  }

  step(params: ParamSet, grads: ParamSet, lr: number): void {
    const { momentum: mu, nesterov, weightDecay, weightDecayMode } = this.config;
    for (const [name, w] of params) {
      const g = checkGrad(name, w, grads.get(name));
      const wd = this.noDecay.has(name) ? 0 : weightDecay;
      let v = this.velocity.get(name);
      if (mu > 0 && !v) { v = new Float32Array(w.length); this.velocity.set(name, v); }
      const first = this.steps === 0;
      for (let i = 0; i < w.length; i++) {
        let d = g[i]!;
        if (wd && weightDecayMode === 'l2') d += wd * w[i]!;
        if (v) {
          // PyTorch initialises the buffer with the first gradient (v = g), which equals μ·0 + g.
          v[i] = first ? d : mu * v[i]! + d;
          d = nesterov ? d + mu * v[i]! : v[i]!;
        }
        if (wd && weightDecayMode === 'decoupled') w[i] -= lr * wd * w[i]!;
        w[i] -= lr * d;
      }
    }
    this.steps++;
  }
}

export class Adam implements Optimizer {
  readonly config: Required<AdamConfig>;
  private readonly m = new Map<string, Float32Array>();
  private readonly v = new Map<string, Float32Array>();
  steps = 0;

  constructor(cfg: Omit<AdamConfig, 'kind'> = {}, private readonly noDecay: ReadonlySet<string> = new Set()) {
    this.config = { kind: 'adam', beta1: cfg.beta1 ?? 0.9, beta2: cfg.beta2 ?? 0.999, eps: cfg.eps ?? 1e-8, weightDecay: cfg.weightDecay ?? 0 };
    const { beta1, beta2, eps } = this.config;
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) throw new Error('Adam: beta1 and beta2 must be in [0, 1)');
    if (!(eps > 0)) throw new Error('Adam: eps must be > 0');
  }

  step(params: ParamSet, grads: ParamSet, lr: number): void {
    const { beta1: b1, beta2: b2, eps, weightDecay } = this.config;
    const t = this.steps + 1;
    const c1 = 1 - b1 ** t, c2 = 1 - b2 ** t;
    for (const [name, w] of params) {
      const g = checkGrad(name, w, grads.get(name));
      let m = this.m.get(name), v = this.v.get(name);
      if (!m || !v) { m = new Float32Array(w.length); v = new Float32Array(w.length); this.m.set(name, m); this.v.set(name, v); }
      const wd = this.noDecay.has(name) ? 0 : weightDecay;
      for (let i = 0; i < w.length; i++) {
        const gi = g[i]!;
        m[i] = b1 * m[i]! + (1 - b1) * gi;
        v[i] = b2 * v[i]! + (1 - b2) * gi * gi;
        if (wd) w[i] -= lr * wd * w[i]!;
        w[i] -= (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + eps);
      }
    }
    this.steps = t;
  }
}

export function makeOptimizer(cfg: OptimizerConfig, noDecay: ReadonlySet<string> = new Set()): Optimizer {
  return cfg.kind === 'sgd' ? new Sgd(cfg, noDecay) : new Adam(cfg, noDecay);
}
