// A self-contained HTML report: every image is a data: URI (the case image and one heatmap
// overlay per stored method), all text is escaped, nothing is loaded from anywhere (a strict CSP
// meta tag forbids it: no scripts at all, styles only the one inline block by hash). It carries
// what is needed to reproduce the maps: run settings, provider, timings and model SHA-256.
import { createHash } from 'node:crypto';
import type { Workspace } from '../store/workspace.ts';
import { encodePng } from '../data/png.ts';
import { overlay, type RgbaImage } from '../viz/grid.ts';
import { isColormap, type ColormapName } from '../viz/colormap.ts';
import type { ReportData, ReportCase } from './collect.ts';
import { decodeCaseImage, readCaseFile, type CaseImage } from './case-image.ts';
import { geometryFromSettings, mapOnImage, mapPlane } from './heatmap.ts';

export interface HtmlReportOptions {
  title?: string;
  /** Longest side of the images in the report (pixels). */
  thumbSide?: number;
  colormap?: ColormapName;
  opacity?: number;
  /** Only these methods' maps (default: all stored). */
  methods?: string[];
  /** Cases beyond this many are listed without images (keeps the file a sensible size). */
  maxImageCases?: number;
}

export function escapeHtml(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#111;background:#fff}
h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
.case{border:1px solid #ddd;margin:12px 0;padding:10px;page-break-inside:avoid}
.imgs{display:flex;flex-wrap:wrap;gap:8px}.imgs figure{margin:0}.imgs figcaption{font-size:12px;color:#444}
img{image-rendering:pixelated;max-width:100%}.note{white-space:pre-wrap}.muted{color:#666}pre{white-space:pre-wrap;font-size:12px}
`;

/** The CSP of the report: nothing external, no script, only this file's own style block and data: images. */
export function reportCsp(style = STYLE): string {
  const h = createHash('sha256').update(style, 'utf8').digest('base64');
  return `default-src 'none'; img-src data:; style-src 'sha256-${h}'; base-uri 'none'; form-action 'none'`;
}

function dataUri(png: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString('base64')}`;
}

function toRgba(img: CaseImage): RgbaImage {
  const n = img.width * img.height, data = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) data[i * 4 + c] = img.data[i * img.channels + (img.channels === 3 ? c : 0)]!;
    data[i * 4 + 3] = 255;
  }
  return { data, width: img.width, height: img.height };
}

async function rgbaPng(img: RgbaImage): Promise<Uint8Array> {
  return encodePng({ width: img.width, height: img.height, channels: 4, data: new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength) });
}

async function caseFigures(ws: Workspace, c: ReportCase, runs: Map<number, unknown>, o: Required<Pick<HtmlReportOptions, 'thumbSide' | 'colormap' | 'opacity'>> & { methods?: string[] }): Promise<string> {
  if (!c.resolvedPath) return `<p class="muted">image ${c.missing ? 'missing (moved or deleted)' : 'not recorded'}</p>`;
  let img: CaseImage;
  try {
    img = await decodeCaseImage(await readCaseFile(c.resolvedPath, c.key), { maxSide: o.thumbSide, name: c.key });
  } catch (e) {
    return `<p class="muted">image could not be shown: ${escapeHtml((e as Error).message)}</p>`;
  }
  const base = toRgba(img);
  const figs = [`<figure><img alt="${escapeHtml(c.key)}" width="${img.width}" height="${img.height}" src="${dataUri(await rgbaPng(base))}"><figcaption>image${img.voi ? ` (${escapeHtml(img.voi)})` : ''}</figcaption></figure>`];
  for (const m of c.maps) {
    if (!m.mapHash || (o.methods && !o.methods.includes(m.method))) continue;
    try {
      const blob = ws.getBlob(m.mapHash);
      if (!blob) throw new Error('the stored map is missing');
      const geometry = geometryFromSettings(runs.get(m.runId), img.original);
      const values = mapOnImage(mapPlane(blob), img, img.original, geometry);
      const png = await rgbaPng(overlay(base, values, { colormap: o.colormap, opacity: o.opacity }));
      figs.push(`<figure><img alt="${escapeHtml(`${c.key} ${m.method}`)}" width="${img.width}" height="${img.height}" src="${dataUri(png)}"><figcaption>${escapeHtml(m.method)} (run ${m.runId})</figcaption></figure>`);
    } catch (e) {
      figs.push(`<p class="muted">${escapeHtml(m.method)}: map could not be drawn (${escapeHtml((e as Error).message)})</p>`);
    }
  }
  return `<div class="imgs">${figs.join('')}</div>`;
}

function countsTable(rec: Record<string, number>, head: [string, string]): string {
  const rows = Object.entries(rec).sort(([a], [b]) => a.localeCompare(b));
  return `<table><tr><th>${escapeHtml(head[0])}</th><th>${escapeHtml(head[1])}</th></tr>${rows.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${v}</td></tr>`).join('')}</table>`;
}

export async function htmlReport(ws: Workspace, data: ReportData, opts: HtmlReportOptions = {}): Promise<string> {
  const o = {
    thumbSide: Math.min(2048, Math.max(16, Math.floor(opts.thumbSide ?? 256))),
    colormap: opts.colormap && isColormap(opts.colormap) ? opts.colormap : 'jet' as ColormapName,
    opacity: Math.min(1, Math.max(0, opts.opacity ?? 0.45)),
    ...(opts.methods ? { methods: opts.methods } : {}),
  };
  const maxImageCases = opts.maxImageCases ?? 2000;
  const runs = new Map(data.runs.map((r) => [r.id, r.settings]));
  const title = opts.title ?? `Review report: ${data.workspace}`;
  const parts: string[] = [];
  parts.push(`<h1>${escapeHtml(title)}</h1><p class="muted">Generated ${escapeHtml(data.generatedAt)} from ${escapeHtml(data.workspace)}; ${data.cases.length} cases, reviewers: ${data.reviewers.length ? data.reviewers.map(escapeHtml).join(', ') : 'none yet'}.</p>`);

  parts.push('<h2>Summary</h2>');
  parts.push(`<p>${data.cases.length - data.counts.unjudged} of ${data.cases.length} cases judged; ${data.counts.unjudged} not judged yet.</p>`);
  parts.push(countsTable(data.counts.byVerdict, ['verdict', 'verdicts']));
  parts.push(countsTable(data.counts.byLabel, ['label', 'cases']));
  const verdictNames = [...new Set(Object.values(data.counts.byLabelVerdict).flatMap((r) => Object.keys(r)))].sort();
  if (verdictNames.length) {
    parts.push(`<table><tr><th>label \\ verdict</th>${verdictNames.map((v) => `<th>${escapeHtml(v)}</th>`).join('')}</tr>${Object.entries(data.counts.byLabelVerdict).sort(([a], [b]) => a.localeCompare(b))
      .map(([l, r]) => `<tr><td>${escapeHtml(l)}</td>${verdictNames.map((v) => `<td>${r[v] ?? 0}</td>`).join('')}</tr>`).join('')}</table>`);
  }
  const ag = data.agreement;
  if (ag) {
    parts.push(`<h2>Agreement</h2><p>Cohen's kappa between ${escapeHtml(ag.a)} and ${escapeHtml(ag.b)} over ${ag.n} cases both judged: <b class="kappa">κ = ${ag.kappa.toFixed(3)}</b> (observed agreement ${ag.observed.toFixed(3)}, expected by chance ${ag.expected.toFixed(3)}).</p>`);
    parts.push(`<table><tr><th>${escapeHtml(ag.a)} \\ ${escapeHtml(ag.b)}</th>${ag.labels.map((l) => `<th>${escapeHtml(l)}</th>`).join('')}</tr>${ag.labels.map((l, i) => `<tr><th>${escapeHtml(l)}</th>${ag.table[i]!.map((n) => `<td>${n}</td>`).join('')}</tr>`).join('')}</table>`);
  }

  parts.push('<h2>Reproducibility</h2>');
  parts.push(data.models.length
    ? `<table><tr><th>model</th><th>SHA-256</th><th>bytes</th><th>path</th></tr>${data.models.map((m) => `<tr><td>${escapeHtml(m.name)}</td><td><code>${escapeHtml(m.sha256)}</code></td><td>${m.bytes}</td><td>${escapeHtml(m.relPath ?? m.absPath ?? '')}</td></tr>`).join('')}</table>`
    : '<p class="muted">No model recorded in this workspace.</p>');
  if (data.runs.length) {
    parts.push(`<table><tr><th>run</th><th>method</th><th>model</th><th>provider</th><th>settings</th><th>timings (ms)</th><th>started / finished</th></tr>${data.runs.map((r) => {
      const model = data.models.find((m) => m.id === r.modelId);
      return `<tr><td>${r.id}</td><td>${escapeHtml(r.method)}</td><td>${model ? `${escapeHtml(model.name)}<br><code>${escapeHtml(model.sha256.slice(0, 16))}…</code>` : ''}</td><td>${escapeHtml(r.provider)}</td><td><pre>${escapeHtml(JSON.stringify(r.settings, null, 1))}</pre></td><td><pre>${escapeHtml(r.timings ? JSON.stringify(r.timings, null, 1) : '')}</pre></td><td>${escapeHtml(r.startedAt)}<br>${escapeHtml(r.finishedAt ?? 'not finished')}</td></tr>`;
    }).join('')}</table>`);
  }

  parts.push('<h2>Cases</h2>');
  if (data.cases.length > maxImageCases) parts.push(`<p class="muted">Images are shown for the first ${maxImageCases} cases only.</p>`);
  let i = 0;
  for (const c of data.cases) {
    const figs = i++ < maxImageCases ? await caseFigures(ws, c, runs, o) : '';
    const verdicts = c.verdicts.length
      ? `<table><tr><th>reviewer</th><th>verdict</th><th>note</th><th>time</th><th>methods seen</th></tr>${c.verdicts.map((v) => `<tr><td>${escapeHtml(v.reviewer)}</td><td class="verdict">${escapeHtml(v.verdict)}</td><td class="note">${escapeHtml(v.note)}</td><td>${escapeHtml(v.givenAt)}</td><td>${escapeHtml(v.methods.join(', '))}</td></tr>`).join('')}</table>`
      : '<p class="muted">not judged</p>';
    parts.push(`<section class="case" id="case-${c.id}"><h3>${escapeHtml(c.key)}</h3><p>label: <b>${escapeHtml(c.label ?? '—')}</b> · prediction: <b>${escapeHtml(c.prediction ?? '—')}</b> · score: ${c.score === null ? '—' : escapeHtml(c.score.toFixed(4))}</p>${figs}${verdicts}</section>`);
  }
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${escapeHtml(reportCsp())}"><meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>\n${parts.join('\n')}\n</body></html>\n`;
}
