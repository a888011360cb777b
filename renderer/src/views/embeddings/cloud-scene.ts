// The point cloud on a WebGL canvas (three.js): one THREE.Points with position, colour and highlight
// attributes, round points from a small shader, an orbit/pan/zoom camera (perspective in 3-D,
// orthographic without rotation in 2-D). Rendering happens on demand. Picking uses a screen-space
// grid of the projected points, rebuilt only when the view changes — never a raycast per point.
import * as THREE from 'three';
import { pointsInPolygon, type Polygon } from './lasso.ts';

const VERTEX = /* glsl */ `
attribute vec3 rgb;
attribute float hl;
uniform float uSize;
uniform float uDim;
uniform float uPerspective;
varying vec3 vColor;
varying float vHl;
void main() {
  vec4 mv = modelViewMatrix * vec4(position, 1.0);
  gl_Position = projectionMatrix * mv;
  float s = uSize * (1.0 + 1.2 * min(hl, 2.0));
  if (uPerspective > 0.5) s *= clamp(3.0 / max(0.05, -mv.z), 0.5, 3.0);
  gl_PointSize = max(1.0, s);
  vHl = hl;
  vColor = (uDim > 0.5 && hl < 0.5) ? mix(rgb, vec3(0.22, 0.25, 0.3), 0.8) : rgb;
}`;

const FRAGMENT = /* glsl */ `
varying vec3 vColor;
varying float vHl;
void main() {
  vec2 c = gl_PointCoord - 0.5;
  float r2 = dot(c, c);
  if (r2 > 0.25) discard;
  vec3 col = vColor;
  if (vHl > 1.5 && r2 > 0.12) col = vec3(1.0);
  gl_FragColor = vec4(col, 1.0);
}`;

export interface Bounds { centre: [number, number, number]; scale: number }

export class CloudScene {
  readonly renderer: THREE.WebGLRenderer;
  private readonly scene = new THREE.Scene();
  private readonly persp = new THREE.PerspectiveCamera(45, 1, 0.01, 100);
  private readonly ortho = new THREE.OrthographicCamera(-1, 1, 1, -1, -100, 100);
  private readonly material: THREE.ShaderMaterial;
  private geometry = new THREE.BufferGeometry();
  private points: THREE.Points;
  private positions = new Float32Array(0);
  /** 2-D only: per-point depth in 0..1 (1 = drawn on top), e.g. the notable end of a scalar colouring. */
  private depthKey: Float32Array | null = null;
  private hl = new Float32Array(0);
  n = 0;
  dims: 2 | 3 = 2;
  /** Orbit state. */
  yaw = 0.6; pitch = 0.35; distance = 3.2; zoom = 1.15;
  target = new THREE.Vector3();
  private width = 1; private height = 1;
  private dirty = true;
  private raf = 0;
  private viewVersion = 0;
  private gridVersion = -1;
  private screen = new Float32Array(0);
  private grid: { cell: number; cols: number; rows: number; start: Int32Array; items: Int32Array } | null = null;
  bounds: Bounds = { centre: [0, 0, 0], scale: 1 };
  /** Called after each drawn frame (tests, frame-time measurement). */
  onFrame: ((ms: number) => void) | null = null;
  frames = 0;

  constructor(readonly canvas: HTMLCanvasElement) {
    this.renderer = new THREE.WebGLRenderer({ canvas, antialias: false, alpha: false, preserveDrawingBuffer: true, powerPreference: 'high-performance' });
    this.renderer.setClearColor(0x0d1117, 1);
    this.material = new THREE.ShaderMaterial({
      vertexShader: VERTEX, fragmentShader: FRAGMENT,
      uniforms: { uSize: { value: 4 }, uDim: { value: 0 }, uPerspective: { value: 0 } },
      depthTest: true, depthWrite: true,
    });
    this.points = new THREE.Points(this.geometry, this.material);
    this.points.frustumCulled = false;
    this.scene.add(this.points);
  }

  resize(width: number, height: number, dpr: number): void {
    this.width = Math.max(1, width); this.height = Math.max(1, height);
    this.renderer.setPixelRatio(dpr);
    this.renderer.setSize(this.width, this.height, false);
    this.changed();
  }

  /** Positions (n×dims); the first call (or a new n) fixes the normalisation unless `refit`. */
  setCoords(coords: Float32Array, dims: 2 | 3, refit: boolean): void {
    const n = coords.length / dims;
    if (n !== this.n || dims !== this.dims || refit) this.bounds = fit(coords, dims);
    if (n !== this.n) {
      this.n = n;
      this.positions = new Float32Array(n * 3);
      this.hl = new Float32Array(n);
      this.geometry.dispose();
      this.geometry = new THREE.BufferGeometry();
      this.geometry.setAttribute('position', new THREE.BufferAttribute(this.positions, 3));
      this.geometry.setAttribute('rgb', new THREE.BufferAttribute(new Uint8Array(n * 3).fill(200), 3, true));
      this.geometry.setAttribute('hl', new THREE.BufferAttribute(this.hl, 1));
      this.points.geometry = this.geometry;
    }
    this.dims = dims;
    const { centre: c, scale: s } = this.bounds;
    for (let i = 0; i < n; i++) {
      this.positions[i * 3] = (coords[i * dims]! - c[0]) * s;
      this.positions[i * 3 + 1] = (coords[i * dims + 1]! - c[1]) * s;
      this.positions[i * 3 + 2] = dims === 3 ? (coords[i * dims + 2]! - c[2]) * s : this.depthOf(i);
    }
    (this.geometry.getAttribute('position') as THREE.BufferAttribute).needsUpdate = true;
    this.material.uniforms.uSize!.value = n > 100_000 ? 2.5 : n > 20_000 ? 3.5 : 5;
    this.material.uniforms.uPerspective!.value = dims === 3 ? 1 : 0;
    this.material.depthTest = dims === 3 || this.depthKey !== null;
    this.changed();
  }

  private depthOf(i: number): number {
    const k = this.depthKey;
    return k && k.length === this.n ? k[i]! : 0;
  }

  /**
   * In 2-D, order the points front to back by `key` (0..1, 1 in front) so the notable end of a
   * scalar colouring is not buried under the many ordinary points; null restores dataset order.
   * The orthographic projection ignores depth, so screen positions and picking are unchanged.
   */
  setDepthKey(key: Float32Array | null): void {
    this.depthKey = key && key.length === this.n ? key : null;
    if (this.dims === 2 && this.n) {
      for (let i = 0; i < this.n; i++) this.positions[i * 3 + 2] = this.depthOf(i);
      (this.geometry.getAttribute('position') as THREE.BufferAttribute).needsUpdate = true;
    }
    this.material.depthTest = this.dims === 3 || this.depthKey !== null;
    this.request();
  }

  setColors(rgb: Uint8Array): void {
    const a = this.geometry.getAttribute('rgb') as THREE.BufferAttribute | undefined;
    if (!a || rgb.length !== this.n * 3) return;
    (a.array as Uint8Array).set(rgb);
    a.needsUpdate = true;
    this.request();
  }

  /** 0 normal, 1 highlighted, 2 selected; `dimOthers` greys out every 0 point. */
  setHighlight(levels: Float32Array | null, dimOthers: boolean): void {
    if (!this.n) return;
    if (levels && levels.length === this.n) this.hl.set(levels); else this.hl.fill(0);
    (this.geometry.getAttribute('hl') as THREE.BufferAttribute).needsUpdate = true;
    this.material.uniforms.uDim!.value = dimOthers ? 1 : 0;
    this.request();
  }

  resetView(): void {
    this.yaw = 0.6; this.pitch = 0.35; this.distance = 3.2; this.zoom = 1.15; this.target.set(0, 0, 0);
    this.changed();
  }

  rotate(dx: number, dy: number): void {
    if (this.dims === 2) return;
    this.yaw -= dx * 0.008;
    this.pitch = Math.max(-1.5, Math.min(1.5, this.pitch + dy * 0.008));
    this.changed();
  }

  /** Pan by a screen-pixel delta. */
  pan(dx: number, dy: number): void {
    const worldPerPx = this.dims === 2 ? (2 * this.zoom) / this.height : (2 * this.distance * Math.tan((this.persp.fov * Math.PI) / 360)) / this.height;
    const cam = this.camera();
    cam.updateMatrixWorld();
    const right = new THREE.Vector3().setFromMatrixColumn(cam.matrixWorld, 0);
    const up = new THREE.Vector3().setFromMatrixColumn(cam.matrixWorld, 1);
    this.target.addScaledVector(right, -dx * worldPerPx).addScaledVector(up, dy * worldPerPx);
    this.changed();
  }

  zoomBy(factor: number): void {
    if (this.dims === 2) this.zoom = Math.max(0.002, Math.min(50, this.zoom * factor));
    else this.distance = Math.max(0.05, Math.min(50, this.distance * factor));
    this.changed();
  }

  camera(): THREE.Camera {
    const aspect = this.width / this.height;
    if (this.dims === 2) {
      const o = this.ortho;
      o.left = -this.zoom * aspect; o.right = this.zoom * aspect; o.top = this.zoom; o.bottom = -this.zoom;
      o.position.set(this.target.x, this.target.y, 10);
      o.up.set(0, 1, 0);
      o.lookAt(this.target.x, this.target.y, 0);
      o.updateProjectionMatrix();
      return o;
    }
    const p = this.persp;
    p.aspect = aspect;
    const cp = Math.cos(this.pitch);
    p.position.set(this.target.x + this.distance * cp * Math.sin(this.yaw), this.target.y + this.distance * Math.sin(this.pitch), this.target.z + this.distance * cp * Math.cos(this.yaw));
    p.up.set(0, 1, 0);
    p.lookAt(this.target);
    p.updateProjectionMatrix();
    return p;
  }

  private changed(): void { this.viewVersion++; this.request(); }

  request(): void {
    this.dirty = true;
    if (!this.raf) this.raf = requestAnimationFrame(() => { this.raf = 0; if (this.dirty) this.draw(); });
  }

  /** Draw now; returns the CPU+GPU time of the frame (a 1-pixel read waits for the GPU). */
  draw(sync = false): number {
    const t0 = performance.now();
    this.dirty = false;
    this.renderer.render(this.scene, this.camera());
    if (sync) { const gl = this.renderer.getContext(); gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4)); }
    const ms = performance.now() - t0;
    this.frames++;
    this.onFrame?.(ms);
    return ms;
  }

  /** Screen (CSS px, canvas-relative) position of every point, cached per view. */
  private project(): Float32Array {
    if (this.gridVersion === this.viewVersion && this.screen.length === this.n * 2) return this.screen;
    const cam = this.camera();
    cam.updateMatrixWorld();
    const m = new THREE.Matrix4().multiplyMatrices(cam.projectionMatrix, cam.matrixWorldInverse).elements;
    const n = this.n, p = this.positions, out = this.screen.length === n * 2 ? this.screen : new Float32Array(n * 2);
    const W = this.width, H = this.height;
    for (let i = 0; i < n; i++) {
      const x = p[i * 3]!, y = p[i * 3 + 1]!, z = p[i * 3 + 2]!;
      const w = m[3]! * x + m[7]! * y + m[11]! * z + m[15]!;
      if (w <= 1e-6) { out[i * 2] = -1e9; out[i * 2 + 1] = -1e9; continue; }
      out[i * 2] = ((m[0]! * x + m[4]! * y + m[8]! * z + m[12]!) / w + 1) * 0.5 * W;
      out[i * 2 + 1] = (1 - (m[1]! * x + m[5]! * y + m[9]! * z + m[13]!) / w) * 0.5 * H;
    }
    this.screen = out;
    this.buildGrid();
    this.gridVersion = this.viewVersion;
    return out;
  }

  /** Counting sort of on-screen points into 8-px cells. */
  private buildGrid(): void {
    const cell = 8, cols = Math.ceil(this.width / cell) + 1, rows = Math.ceil(this.height / cell) + 1;
    const start = new Int32Array(cols * rows + 1);
    const s = this.screen, n = this.n;
    const cellOf = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const cx = Math.floor(s[i * 2]! / cell), cy = Math.floor(s[i * 2 + 1]! / cell);
      const c = cx >= 0 && cy >= 0 && cx < cols && cy < rows ? cy * cols + cx : -1;
      cellOf[i] = c;
      if (c >= 0) start[c + 1]!++;
    }
    for (let c = 0; c < cols * rows; c++) start[c + 1]! += start[c]!;
    const fill = start.slice(0, cols * rows), items = new Int32Array(start[cols * rows]!);
    for (let i = 0; i < n; i++) { const c = cellOf[i]!; if (c >= 0) items[fill[c]!++] = i; }
    this.grid = { cell, cols, rows, start, items };
  }

  screenPosition(i: number): { x: number; y: number } | null {
    if (i < 0 || i >= this.n) return null;
    const s = this.project();
    return { x: s[i * 2]!, y: s[i * 2 + 1]! };
  }

  /** The point nearest (x, y) within `radius` CSS px, or -1. */
  pick(x: number, y: number, radius = 8): number {
    if (!this.n) return -1;
    const s = this.project();
    const g = this.grid!;
    let best = -1, bestD = radius * radius;
    const c0 = Math.floor((x - radius) / g.cell), c1 = Math.floor((x + radius) / g.cell);
    const r0 = Math.floor((y - radius) / g.cell), r1 = Math.floor((y + radius) / g.cell);
    for (let r = Math.max(0, r0); r <= Math.min(g.rows - 1, r1); r++) {
      for (let c = Math.max(0, c0); c <= Math.min(g.cols - 1, c1); c++) {
        const k = r * g.cols + c;
        for (let t = g.start[k]!; t < g.start[k + 1]!; t++) {
          const i = g.items[t]!;
          const dx = s[i * 2]! - x, dy = s[i * 2 + 1]! - y, d = dx * dx + dy * dy;
          if (d <= bestD) { bestD = d; best = i; }
        }
      }
    }
    return best;
  }

  /** Points inside a screen rectangle. */
  inRect(x0: number, y0: number, x1: number, y1: number): number[] {
    const s = this.project(), out: number[] = [];
    const [ax, bx] = x0 < x1 ? [x0, x1] : [x1, x0], [ay, by] = y0 < y1 ? [y0, y1] : [y1, y0];
    for (let i = 0; i < this.n; i++) { const x = s[i * 2]!, y = s[i * 2 + 1]!; if (x >= ax && x <= bx && y >= ay && y <= by) out.push(i); }
    return out;
  }

  /** Points whose screen projection lies inside a closed polygon (lasso). */
  inPolygon(poly: Polygon): number[] {
    return pointsInPolygon(this.project(), this.n, poly);
  }

  dispose(): void {
    if (this.raf) cancelAnimationFrame(this.raf);
    this.geometry.dispose();
    this.material.dispose();
    this.renderer.dispose();
  }
}

/** Centre and scale that map the cloud into a radius-1 box (robust to single outliers by using the 1st–99th percentile span). */
function fit(coords: Float32Array, dims: number): Bounds {
  const n = coords.length / dims;
  const centre: [number, number, number] = [0, 0, 0];
  let span = 0;
  // A hashed sample of ≤ 20,000 points: a plain stride could alias with periodic data (class i % 10).
  const m = Math.min(n, 20_000);
  const pick = (k: number) => (m === n ? k : (k * 2654435761) % n);
  for (let j = 0; j < dims; j++) {
    const v: number[] = [];
    for (let k = 0; k < m; k++) v.push(coords[pick(k) * dims + j]!);
    v.sort((a, b) => a - b);
    const lo = v[Math.floor(v.length * 0.01)] ?? 0, hi = v[Math.min(v.length - 1, Math.floor(v.length * 0.99))] ?? 0;
    centre[j] = (lo + hi) / 2;
    span = Math.max(span, hi - lo);
  }
  return { centre, scale: span > 0 && Number.isFinite(span) ? 1.7 / span : 1 };
}
