// DICOM Part 10 images (radiographs): header fields, pixel data of one frame, and the modality
// LUT (rescale slope/intercept or a Modality LUT Sequence). Compressed transfer syntaxes (RLE,
// JPEG baseline/lossless, JPEG-LS, JPEG 2000, HTJ2K) are decoded with dcmjs-codecs' WebAssembly
// codecs; dcmjs parses the data set. Display (VOI LUT, windowing, MONOCHROME1) is in voi.ts.
import codecs from 'dcmjs-codecs';
import type { VoiFunction, VoiLut } from './voi.ts';

import { DicomError } from './read-errors.ts';
import { checkElementLengths, metaTransferSyntax } from './scan.ts';

export { DicomError };

export type Photometric = 'MONOCHROME1' | 'MONOCHROME2' | 'RGB';

export interface DicomImage {
  rows: number;
  columns: number;
  frames: number;
  samplesPerPixel: 1 | 3;
  bitsAllocated: 8 | 16;
  bitsStored: number;
  signed: boolean;
  photometric: Photometric;
  transferSyntax: string;
  /** Stored pixel values of the chosen frame, sign-extended/masked to BitsStored (interleaved RGB for colour). */
  stored: Int32Array;
  /** Values after the modality LUT (Hounsfield units for CT, otherwise "modality units"). */
  modality: Float32Array;
  rescale: { slope: number; intercept: number };
  /** Windows recorded in the file (first is the default). */
  windows: { center: number; width: number; fn: VoiFunction; explanation?: string }[];
  voiLuts: VoiLut[];
  /** Millimetres per pixel [row spacing, column spacing] (PixelSpacing, else ImagerPixelSpacing). */
  pixelSpacing?: [number, number];
  modalityName?: string;
  sopInstanceUid?: string;
}

const UNCOMPRESSED = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2']);
const SUPPORTED: Record<string, string> = {
  '1.2.840.10008.1.2': 'Implicit VR Little Endian',
  '1.2.840.10008.1.2.1': 'Explicit VR Little Endian',
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless SV1',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 Lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.4.201': 'HTJ2K Lossless',
  '1.2.840.10008.1.2.4.202': 'HTJ2K Lossless RPCL',
  '1.2.840.10008.1.2.4.203': 'HTJ2K',
};

/** Largest image accepted (pixels of one frame). */
export const MAX_DICOM_PIXELS = 16384 * 16384;

let codecsReady: Promise<void> | undefined;
function initCodecs(): Promise<void> {
  codecsReady ??= codecs.NativeCodecs.initializeAsync();
  return codecsReady;
}

type Elements = Record<string, unknown>;

const num = (v: unknown): number | undefined => {
  const x = Array.isArray(v) ? v[0] : v;
  const n = typeof x === 'string' ? Number(x) : x;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
};
const nums = (v: unknown): number[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]).map((x) => Number(x));
const str = (v: unknown): string | undefined => {
  const x = Array.isArray(v) ? v[0] : v;
  return typeof x === 'string' ? x.trim() : undefined;
};

export async function readDicom(bytes: Uint8Array, opts: { frame?: number; name?: string } = {}): Promise<DicomImage> {
  const what = opts.name ?? 'DICOM file';
  if (bytes.length < 132 || String.fromCharCode(...bytes.subarray(128, 132)) !== 'DICM') {
    throw new DicomError('not-dicom', `${what}: not a DICOM Part 10 file (no "DICM" marker at byte 128)`);
  }
  // Before dcmjs: every declared length must fit in the file (dcmjs trusts them and allocates).
  checkElementLengths(bytes, metaTransferSyntax(bytes) ?? '1.2.840.10008.1.2.1', what);
  await initCodecs();
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let transcoder: InstanceType<typeof codecs.Transcoder>;
  let ts: string;
  try {
    transcoder = new codecs.Transcoder(buf);
    ts = transcoder.getTransferSyntaxUid();
  } catch (e) {
    throw new DicomError('malformed', `${what}: the data set cannot be parsed (${(e as Error).message ?? e}); the file may be truncated or damaged`);
  }
  if (!SUPPORTED[ts]) {
    throw new DicomError('unsupported', `${what}: transfer syntax ${ts} is not supported; supported: ${Object.values(SUPPORTED).join(', ')}`);
  }
  checkPixelDataExtent(bytes, ts, what);
  const el0 = transcoder.getElements() as Elements;
  const rows = num(el0.Rows), columns = num(el0.Columns);
  if (!rows || !columns || rows < 1 || columns < 1) throw new DicomError('malformed', `${what}: Rows/Columns missing or zero — not an image`);
  if (rows * columns > MAX_DICOM_PIXELS) throw new DicomError('too-large', `${what}: ${rows}×${columns} pixels is larger than Receptive accepts (${MAX_DICOM_PIXELS} pixels)`);
  const spp = num(el0.SamplesPerPixel) ?? 1;
  if (spp !== 1 && spp !== 3) throw new DicomError('unsupported', `${what}: ${spp} samples per pixel (only 1 or 3 are supported)`);
  const bitsAllocated = num(el0.BitsAllocated) ?? 0;
  if (bitsAllocated !== 8 && bitsAllocated !== 16) throw new DicomError('unsupported', `${what}: BitsAllocated ${bitsAllocated} (only 8 and 16 are supported)`);
  const bitsStored = num(el0.BitsStored) ?? bitsAllocated;
  if (bitsStored < 1 || bitsStored > bitsAllocated) throw new DicomError('malformed', `${what}: BitsStored ${bitsStored} does not fit BitsAllocated ${bitsAllocated}`);
  const frames = Math.max(1, num(el0.NumberOfFrames) ?? 1);
  const frame = opts.frame ?? 0;
  if (!Number.isInteger(frame) || frame < 0 || frame >= frames) throw new DicomError('malformed', `${what}: frame ${frame} does not exist (the file has ${frames})`);
  const photometric = (str(el0.PhotometricInterpretation) ?? 'MONOCHROME2') as string;
  if (!['MONOCHROME1', 'MONOCHROME2', 'RGB', 'YBR_FULL', 'YBR_FULL_422'].includes(photometric)) {
    throw new DicomError('unsupported', `${what}: photometric interpretation ${photometric} is not supported`);
  }

  let el = el0;
  if (!UNCOMPRESSED.has(ts)) {
    try {
      transcoder.transcode(codecs.constants.TransferSyntax.ExplicitVRLittleEndian, { convertColorspaceToRgb: true });
      el = transcoder.getElements() as Elements;
    } catch (e) {
      throw new DicomError('malformed', `${what}: compressed pixel data (${SUPPORTED[ts]}) could not be decoded (${(e as Error).message ?? e})`);
    }
  }
  const pd = el.PixelData;
  const frag = Array.isArray(pd) ? pd : pd ? [pd] : [];
  const total = frag.reduce((a: number, f: unknown) => a + ((f as ArrayBuffer).byteLength ?? 0), 0);
  const bytesPerSample = bitsAllocated / 8;
  const frameBytes = rows * columns * spp * bytesPerSample;
  if (total < frameBytes * (frame + 1)) {
    throw new DicomError('truncated', `${what}: pixel data holds ${total} bytes but ${rows}×${columns}×${spp} at ${bitsAllocated} bits needs ${frameBytes * (frame + 1)} for frame ${frame}; the file is truncated or its header is wrong`);
  }
  const all = new Uint8Array(total);
  let off = 0;
  for (const f of frag) { all.set(new Uint8Array(f as ArrayBuffer), off); off += (f as ArrayBuffer).byteLength; }
  const raw = all.subarray(frame * frameBytes, (frame + 1) * frameBytes);

  const signed = (num(el.PixelRepresentation) ?? 0) === 1;
  const n = rows * columns * spp;
  const stored = new Int32Array(n);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const shift = 32 - bitsStored;
  const planar = spp === 3 && (num(el.PlanarConfiguration) ?? 0) === 1;
  for (let i = 0; i < n; i++) {
    // Planar RGB (RRR…GGG…BBB) is re-interleaved so every consumer sees RGBRGB….
    const src = planar ? (i % 3) * rows * columns + Math.floor(i / 3) : i;
    const v = bitsAllocated === 16 ? dv.getUint16(src * 2, true) : raw[src]!;
    stored[i] = signed ? (v << shift) >> shift : v & (bitsStored === 32 ? -1 : (1 << bitsStored) - 1);
  }

  const slope = num(el.RescaleSlope) ?? 1, intercept = num(el.RescaleIntercept) ?? 0;
  const modality = new Float32Array(n);
  const mlut = readLutSequence(el.ModalityLUTSequence)[0];
  if (mlut && el.RescaleSlope === undefined) {
    for (let i = 0; i < n; i++) modality[i] = lookup(mlut, stored[i]!);
  } else {
    for (let i = 0; i < n; i++) modality[i] = stored[i]! * slope + intercept;
  }

  const centers = nums(el.WindowCenter), widths = nums(el.WindowWidth);
  const fnRaw = (str(el.VOILUTFunction) ?? 'LINEAR').toUpperCase();
  const fn: VoiFunction = fnRaw === 'SIGMOID' ? 'SIGMOID' : fnRaw === 'LINEAR_EXACT' ? 'LINEAR_EXACT' : 'LINEAR';
  const expl = Array.isArray(el.WindowCenterWidthExplanation) ? (el.WindowCenterWidthExplanation as unknown[]).map(String) : str(el.WindowCenterWidthExplanation) ? [str(el.WindowCenterWidthExplanation)!] : [];
  const windows = centers.map((c, i) => ({ center: c, width: widths[i] ?? widths[0] ?? NaN, fn, explanation: expl[i] }))
    .filter((w) => Number.isFinite(w.center) && Number.isFinite(w.width) && w.width > 0);
  const ps = nums(el.PixelSpacing ?? el.ImagerPixelSpacing);
  return {
    rows, columns, frames, samplesPerPixel: spp as 1 | 3, bitsAllocated, bitsStored, signed,
    photometric: photometric.startsWith('YBR') ? 'RGB' : (photometric as Photometric),
    transferSyntax: ts, stored, modality, rescale: { slope, intercept }, windows,
    voiLuts: readLutSequence(el.VOILUTSequence),
    pixelSpacing: ps.length >= 2 && ps.every((v) => Number.isFinite(v) && v > 0) ? [ps[0]!, ps[1]!] : undefined,
    modalityName: str(el.Modality), sopInstanceUid: str(el.SOPInstanceUID),
  };
}

/**
 * dcmjs zero-pads a Pixel Data element whose declared length runs past the end of the file, so a
 * truncated file would silently show black rows. Find the (last) Pixel Data tag and check that
 * its declared length fits, or that an encapsulated sequence is closed.
 */
function checkPixelDataExtent(bytes: Uint8Array, ts: string, what: string): void {
  const big = ts === '1.2.840.10008.1.2.2';
  const implicit = ts === '1.2.840.10008.1.2';
  const tag = big ? [0x7f, 0xe0, 0x00, 0x10] : [0xe0, 0x7f, 0x10, 0x00];
  let at = -1;
  for (let i = bytes.length - 8; i >= 132; i--) {
    if (bytes[i] === tag[0] && bytes[i + 1] === tag[1] && bytes[i + 2] === tag[2] && bytes[i + 3] === tag[3]) {
      // Explicit VR: the VR must be OB or OW (guards against the byte pattern inside pixel values).
      if (implicit || (bytes[i + 4] === 0x4f && (bytes[i + 5] === 0x42 || bytes[i + 5] === 0x57))) { at = i; break; }
    }
  }
  if (at < 0) {
    // Compressed data must sit in an intact encapsulated Pixel Data element; without one, the
    // codec library would go looking for fragments in damaged bytes.
    if (!UNCOMPRESSED.has(ts)) throw new DicomError('malformed', `${what}: no intact Pixel Data element was found; the file is damaged`);
    return; // uncompressed: missing pixel data is reported later
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenAt = implicit ? at + 4 : at + 8;
  if (lenAt + 4 > bytes.length) throw new DicomError('truncated', `${what}: the file ends inside the Pixel Data header`);
  const len = dv.getUint32(lenAt, !big);
  const start = lenAt + 4;
  if (len === 0xffffffff) {
    // Encapsulated: walk the items (basic offset table, then one or more fragments) up to the
    // Sequence Delimitation Item; every item must lie inside the file. The codec library would
    // otherwise trust a damaged item length and read gigabytes past the end.
    let p = start, closed = false;
    while (p + 8 <= bytes.length) {
      const g = dv.getUint16(p, true), e = dv.getUint16(p + 2, true), itemLen = dv.getUint32(p + 4, true);
      if (g === 0xfffe && e === 0xe0dd) { closed = true; break; }
      if (g !== 0xfffe || e !== 0xe000) throw new DicomError('malformed', `${what}: the compressed pixel data has a damaged item at byte ${p}`);
      if (itemLen === 0xffffffff || p + 8 + itemLen > bytes.length) throw new DicomError('truncated', `${what}: a compressed pixel data item declares ${itemLen} bytes, past the end of the file; the file is truncated or damaged`);
      p += 8 + itemLen;
    }
    if (!closed) throw new DicomError('truncated', `${what}: the compressed pixel data is not closed (the file is truncated)`);
  } else if (start + len > bytes.length) {
    throw new DicomError('truncated', `${what}: Pixel Data declares ${len} bytes but the file holds only ${bytes.length - start}; the file is truncated`);
  }
}

function readLutSequence(seq: unknown): VoiLut[] {
  const items = Array.isArray(seq) ? seq : seq ? [seq] : [];
  const out: VoiLut[] = [];
  for (const it of items as Elements[]) {
    const d = nums(it.LUTDescriptor);
    if (d.length < 3) continue;
    const count = d[0] === 0 ? 65536 : d[0]!, first = d[1]!, bits = d[2]!;
    let data: number[];
    const raw = it.LUTData;
    if (Array.isArray(raw) && raw.length && raw[0] instanceof ArrayBuffer) {
      const u = bits > 8 ? new Uint16Array(raw[0] as ArrayBuffer) : new Uint8Array(raw[0] as ArrayBuffer);
      data = Array.from(u);
    } else data = nums(raw);
    if (data.length < count) continue;
    out.push({ first, bits, data: Float32Array.from(data.slice(0, count)), explanation: str(it.LUTExplanation) });
  }
  return out;
}

/** LUT lookup with the standard's clamping: below first → first entry, past the end → last entry. */
export function lookup(lut: VoiLut, x: number): number {
  const i = Math.round(x) - lut.first;
  return lut.data[i <= 0 ? 0 : i >= lut.data.length ? lut.data.length - 1 : i]!;
}

export const TRANSFER_SYNTAXES = SUPPORTED;
