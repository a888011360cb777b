// Class activation maps from a layer's activations A (K channels of h×w) and the gradient G of the
// class score with respect to A, one image at a time. Each formula follows its paper; where a
// paper leaves a detail open we follow pytorch-grad-cam (noted below). All return ReLU'd h×w maps.

export interface LayerMaps { act: Float32Array; grad?: Float32Array; channels: number; height: number; width: number }

const relu = (m: Float32Array) => { for (let i = 0; i < m.length; i++) if (!(m[i]! > 0)) m[i] = 0; return m; };

/** Σ_k α_k A_k, then ReLU. */
export function weightedSum(act: Float32Array, alpha: ArrayLike<number>, channels: number, hw: number): Float32Array {
  const out = new Float64Array(hw);
  for (let k = 0; k < channels; k++) {
    const a = alpha[k]!;
    if (a === 0) continue;
    const off = k * hw;
    for (let i = 0; i < hw; i++) out[i] += a * act[off + i]!;
  }
  return relu(Float32Array.from(out));
}

function needGrad(m: LayerMaps, method: string): Float32Array {
  if (!m.grad) throw new Error(`${method} needs the gradient of the layer`);
  return m.grad;
}

/** Grad-CAM (Selvaraju et al. 2017, eq. 1–2): α_k = mean_ij ∂y_c/∂A_k,ij; L = ReLU(Σ α_k A_k). */
export function gradCam(m: LayerMaps): Float32Array {
  const g = needGrad(m, 'Grad-CAM'), hw = m.height * m.width;
  const alpha = new Float64Array(m.channels);
  for (let k = 0; k < m.channels; k++) { let s = 0; for (let i = 0; i < hw; i++) s += g[k * hw + i]!; alpha[k] = s / hw; }
  return weightedSum(m.act, alpha, m.channels, hw);
}

/**
 * Grad-CAM++ (Chattopadhay et al. 2018, eq. 19 with the exponential score Y = exp(S), so the
 * second and third derivatives are powers of the first): a_ij = g² / (2g² + Σ_ab A_ab · g³),
 * α_k = Σ_ij a_ij · ReLU(g_ij) — the pytorch-grad-cam formulation (a = 0 where g = 0).
 */
export function gradCamPlusPlus(m: LayerMaps): Float32Array {
  const g = needGrad(m, 'Grad-CAM++'), hw = m.height * m.width;
  const alpha = new Float64Array(m.channels);
  for (let k = 0; k < m.channels; k++) {
    let sumA = 0;
    for (let i = 0; i < hw; i++) sumA += m.act[k * hw + i]!;
    let s = 0;
    for (let i = 0; i < hw; i++) {
      const gi = g[k * hw + i]!;
      if (gi === 0) continue;
      const g2 = gi * gi, g3 = g2 * gi;
      const a = g2 / (2 * g2 + sumA * g3 + 1e-7);
      if (gi > 0) s += a * gi;
    }
    alpha[k] = s;
  }
  return weightedSum(m.act, alpha, m.channels, hw);
}

/** XGrad-CAM (Fu et al. 2020, eq. 9): α_k = Σ_ij (A_k,ij / Σ_ab A_k,ab) · ∂y_c/∂A_k,ij. */
export function xGradCam(m: LayerMaps): Float32Array {
  const g = needGrad(m, 'XGrad-CAM'), hw = m.height * m.width;
  const alpha = new Float64Array(m.channels);
  for (let k = 0; k < m.channels; k++) {
    let sumA = 0, s = 0;
    for (let i = 0; i < hw; i++) { const a = m.act[k * hw + i]!; sumA += a; s += a * g[k * hw + i]!; }
    alpha[k] = s / (sumA + 1e-7);
  }
  return weightedSum(m.act, alpha, m.channels, hw);
}

/** HiResCAM (Draelos & Carin 2020, eq. 3): L = ReLU(Σ_k ∂y_c/∂A_k ⊙ A_k), element-wise. */
export function hiResCam(m: LayerMaps): Float32Array {
  const g = needGrad(m, 'HiResCAM'), hw = m.height * m.width;
  const out = new Float64Array(hw);
  for (let k = 0; k < m.channels; k++) for (let i = 0; i < hw; i++) out[i] += g[k * hw + i]! * m.act[k * hw + i]!;
  return relu(Float32Array.from(out));
}

/** LayerCAM (Jiang et al. 2021, eq. 5–6): L = ReLU(Σ_k ReLU(∂y_c/∂A_k) ⊙ A_k). */
export function layerCam(m: LayerMaps): Float32Array {
  const g = needGrad(m, 'LayerCAM'), hw = m.height * m.width;
  const out = new Float64Array(hw);
  for (let k = 0; k < m.channels; k++) for (let i = 0; i < hw; i++) {
    const gi = g[k * hw + i]!;
    if (gi > 0) out[i] += gi * m.act[k * hw + i]!;
  }
  return relu(Float32Array.from(out));
}

/**
 * Eigen-CAM (Muhammad & Yeasin 2020): the projection of the activations (hw positions × K
 * channels, centred per channel as pytorch-grad-cam does) on their first principal direction,
 * i.e. X·v₁ with v₁ the first right singular vector; found by power iteration on X Xᵀ without
 * forming it. The SVD sign is arbitrary: we choose the one that correlates positively with the
 * channel-summed activation, then ReLU.
 */
export function eigenCam(m: LayerMaps, iterations = 300): Float32Array {
  const K = m.channels, hw = m.height * m.width;
  const X = new Float64Array(K * hw); // channel-major: X[k*hw + i]
  for (let k = 0; k < K; k++) {
    let mean = 0;
    for (let i = 0; i < hw; i++) mean += m.act[k * hw + i]!;
    mean /= hw;
    for (let i = 0; i < hw; i++) X[k * hw + i] = m.act[k * hw + i]! - mean;
  }
  let u = new Float64Array(hw);
  for (let i = 0; i < hw; i++) u[i] = 1 + 0.01 * Math.sin(i + 1); // deterministic start, not orthogonal to anything in practice
  const v = new Float64Array(K);
  for (let it = 0; it < iterations; it++) {
    for (let k = 0; k < K; k++) { let s = 0; for (let i = 0; i < hw; i++) s += X[k * hw + i]! * u[i]!; v[k] = s; }
    const next = new Float64Array(hw);
    for (let k = 0; k < K; k++) { const vk = v[k]!; if (vk === 0) continue; for (let i = 0; i < hw; i++) next[i] += X[k * hw + i]! * vk; }
    let n = 0; for (const x of next) n += x * x;
    n = Math.sqrt(n);
    if (n === 0) return new Float32Array(hw); // all channels constant: no principal direction
    let delta = 0;
    for (let i = 0; i < hw; i++) { next[i] /= n; delta = Math.max(delta, Math.abs(next[i]! - u[i]!)); }
    u = next;
    if (delta < 1e-10) break;
  }
  // projection X v₁ = σ₁ u₁ with v₁ = Xᵀu₁/σ₁
  for (let k = 0; k < K; k++) { let s = 0; for (let i = 0; i < hw; i++) s += X[k * hw + i]! * u[i]!; v[k] = s; }
  let vn = 0; for (const x of v) vn += x * x;
  vn = Math.sqrt(vn) || 1;
  const proj = new Float64Array(hw);
  for (let k = 0; k < K; k++) { const vk = v[k]! / vn; for (let i = 0; i < hw; i++) proj[i] += X[k * hw + i]! * vk; }
  let corr = 0;
  for (let i = 0; i < hw; i++) { let s = 0; for (let k = 0; k < K; k++) s += m.act[k * hw + i]!; corr += s * proj[i]!; }
  const sign = corr < 0 ? -1 : 1;
  return relu(Float32Array.from(proj, (x) => sign * x));
}

export const CAM_FORMULAS = {
  gradcam: gradCam,
  'gradcam++': gradCamPlusPlus,
  xgradcam: xGradCam,
  hirescam: hiResCam,
  layercam: layerCam,
} as const;
export type GradientCamName = keyof typeof CAM_FORMULAS;
