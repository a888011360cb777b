// Colour maps as 256-entry RGB lookup tables, built by linear interpolation between the published
// anchor colours (matplotlib's viridis/magma/inferno/RdBu at 10–11 even steps, Google's turbo).
// The renderer receives the same tables through the API, so CLI PNGs and the UI agree.
export const COLORMAP_NAMES = ['viridis', 'magma', 'inferno', 'turbo', 'jet', 'gray', 'rdbu'] as const;
export type ColormapName = (typeof COLORMAP_NAMES)[number];

const ANCHORS: Record<ColormapName, string[]> = {
  viridis: ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'],
  magma: ['#000004', '#180f3d', '#440f76', '#721f81', '#9e2f7f', '#cd4071', '#f1605d', '#fd9668', '#feca8d', '#fcfdbf'],
  inferno: ['#000004', '#1b0c41', '#4a0c6b', '#781c6d', '#a52c60', '#cf4446', '#ed6925', '#fb9b06', '#f7d13d', '#fcffa4'],
  turbo: ['#30123b', '#4145ab', '#4675ed', '#39a2fc', '#1bcfd4', '#24eca6', '#61fc6c', '#a4fc3b', '#d1e834', '#f3c63a', '#fe9b2d', '#f36315', '#d93806', '#b11901', '#7a0403'],
  jet: ['#00007f', '#0000ff', '#007fff', '#00ffff', '#7fff7f', '#ffff00', '#ff7f00', '#ff0000', '#7f0000'],
  gray: ['#000000', '#ffffff'],
  // Diverging, blue for negative, red for positive (matplotlib's RdBu reversed).
  rdbu: ['#053061', '#2166ac', '#4393c3', '#92c5de', '#d1e5f0', '#f7f7f7', '#fddbc7', '#f4a582', '#d6604d', '#b2182b', '#67001f'],
};

const cache = new Map<ColormapName, Uint8Array>();

function hex(h: string): [number, number, number] {
  return [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
}

export function isColormap(name: string): name is ColormapName {
  return (COLORMAP_NAMES as readonly string[]).includes(name);
}

/** 256×3 RGB table of a colour map. */
export function colormapLut(name: ColormapName): Uint8Array {
  const hit = cache.get(name);
  if (hit) return hit;
  if (!isColormap(name)) throw new Error(`unknown colour map "${name}"; choose one of ${COLORMAP_NAMES.join(', ')}`);
  const stops = ANCHORS[name].map(hex);
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * (stops.length - 1);
    const k = Math.min(stops.length - 2, Math.floor(t)), f = t - k;
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(stops[k]![c]! * (1 - f) + stops[k + 1]![c]! * f);
  }
  cache.set(name, lut);
  return lut;
}

/** Map values in [0, 1] (clamped; NaN → transparent black) to RGBA bytes. */
export function applyColormap(values: ArrayLike<number>, name: ColormapName, out = new Uint8ClampedArray(values.length * 4)): Uint8ClampedArray {
  const lut = colormapLut(name);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) { out[i * 4 + 3] = 0; continue; }
    const k = Math.round((v < 0 ? 0 : v > 1 ? 1 : v) * 255) * 3;
    out[i * 4] = lut[k]!; out[i * 4 + 1] = lut[k + 1]!; out[i * 4 + 2] = lut[k + 2]!; out[i * 4 + 3] = 255;
  }
  return out;
}
