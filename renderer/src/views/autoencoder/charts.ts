// uPlot option builders for the set panel: score histograms (normal vs anomalous, a draggable
// threshold), ROC and PR curves with the current operating point.
import uPlot from 'uplot';

const AXIS = { stroke: '#aab4c2', grid: { stroke: '#29313d', width: 1 }, ticks: { stroke: '#29313d', width: 1 }, font: '11px system-ui, sans-serif' };
export const NORMAL_COLOUR = '#6ea8fe';
export const ANOMALY_COLOUR = '#f2b134';
const THRESHOLD_COLOUR = '#f0727a';

type Opts = Omit<uPlot.Options, 'width' | 'height'> & { width: number; height: number };

/** Edges (n+1) and per-bin counts (n) → stepped series padded to the edges. */
export function histogramData(edges: Float64Array, normal: Uint32Array, anomalous: Uint32Array): uPlot.AlignedData {
  const pad = (c: Uint32Array) => [...c, 0];
  return [Array.from(edges), pad(normal), pad(anomalous)];
}

export function histogramOptions(width: number, height: number, threshold: () => number | null, labels: [string, string]): Opts {
  const stepped = uPlot.paths.stepped!({ align: 1 });
  return {
    width, height, title: 'Scores by label (drag to set the threshold)',
    cursor: { drag: { x: false, y: false }, points: { show: false } },
    scales: { x: { time: false } },
    legend: { show: true, live: false },
    axes: [{ ...AXIS, label: 'score', labelSize: 16 }, { ...AXIS, label: 'images', labelSize: 16, size: 44 }],
    series: [
      { label: 'score' },
      { label: labels[0], stroke: NORMAL_COLOUR, fill: 'rgba(110,168,254,0.35)', paths: stepped, points: { show: false }, width: 1.5 },
      { label: labels[1], stroke: ANOMALY_COLOUR, fill: 'rgba(242,177,52,0.35)', paths: stepped, points: { show: false }, width: 1.5 },
    ],
    hooks: { draw: [(u) => drawVertical(u, threshold())] },
  };
}

export function curveOptions(width: number, height: number, title: string, xLabel: string, yLabel: string, point: () => [number, number] | null, diagonal: boolean): Opts {
  const series: uPlot.Series[] = [{ label: xLabel }, { label: yLabel, stroke: NORMAL_COLOUR, width: 2, points: { show: false } }];
  if (diagonal) series.push({ label: 'chance', stroke: '#7e8a99', dash: [4, 4], width: 1, points: { show: false } });
  return {
    width, height, title,
    cursor: { drag: { x: false, y: false }, points: { show: false } },
    scales: { x: { time: false, range: [0, 1] }, y: { range: [0, 1.02] } },
    legend: { show: false },
    axes: [{ ...AXIS, label: xLabel, labelSize: 16 }, { ...AXIS, label: yLabel, labelSize: 16, size: 40 }],
    series,
    hooks: { draw: [(u) => drawPoint(u, point())] },
  };
}

/** x ascending for uPlot (PR curves come with recall falling). */
export function ascending(x: Float64Array, ys: Float64Array[]): number[][] {
  const idx = Array.from(x.keys()).sort((a, b) => x[a]! - x[b]! || a - b);
  return [idx.map((i) => x[i]!), ...ys.map((y) => idx.map((i) => y[i]!))];
}

function drawVertical(u: uPlot, v: number | null): void {
  if (v === null || !Number.isFinite(v)) return;
  const x = Math.round(u.valToPos(v, 'x', true));
  const { top, height, left, width } = u.bbox;
  if (x < left || x > left + width) return;
  const c = u.ctx;
  c.save();
  c.strokeStyle = THRESHOLD_COLOUR; c.lineWidth = 2 * devicePixelRatio;
  c.beginPath(); c.moveTo(x, top); c.lineTo(x, top + height); c.stroke();
  c.restore();
}

function drawPoint(u: uPlot, p: [number, number] | null): void {
  if (!p) return;
  const x = u.valToPos(p[0], 'x', true), y = u.valToPos(p[1], 'y', true);
  const c = u.ctx;
  c.save();
  c.fillStyle = THRESHOLD_COLOUR; c.strokeStyle = '#fff'; c.lineWidth = devicePixelRatio;
  c.beginPath(); c.arc(x, y, 5 * devicePixelRatio, 0, 2 * Math.PI); c.fill(); c.stroke();
  c.restore();
}
