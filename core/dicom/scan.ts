// A structural pre-check of a DICOM Part 10 byte stream before dcmjs parses it: every element's
// declared length must fit inside the file. dcmjs trusts those lengths; a damaged one (a few
// hundred bytes declaring gigabytes of numbers) would make it allocate until the process dies.
import { DicomError } from './read-errors.ts';

// Explicit-VR representations with a 2-byte reserved field and a 4-byte length.
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const UNDEFINED = 0xffffffff;

export function checkElementLengths(bytes: Uint8Array, transferSyntax: string, what: string): void {
  const n = bytes.length;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bigEndian = transferSyntax === '1.2.840.10008.1.2.2';
  const implicit = transferSyntax === '1.2.840.10008.1.2';
  let p = 132;
  let steps = 0;
  // What each open undefined-length element holds: sequence items hold elements; encapsulated
  // pixel data items hold raw fragments, skipped whole.
  const open: ('seq' | 'frag')[] = [];
  while (p + 8 <= n) {
    if (++steps > 5_000_000) throw new DicomError('malformed', `${what}: too many data elements`);
    const group = dv.getUint16(p, true);
    // The file meta group (0002) is always explicit VR little endian.
    const meta = group === 0x0002;
    const le = meta || !bigEndian;
    const g = le ? group : dv.getUint16(p, false);
    if (g === 0xfffe) {
      // Item, item delimiter or sequence delimiter: a tag and a 4-byte length; item contents are
      // elements again, so step inside.
      const elem = le ? dv.getUint16(p + 2, true) : dv.getUint16(p + 2, false);
      const len = dv.getUint32(p + 4, le);
      if (elem === 0xe0dd) { open.pop(); p += 8; continue; } // sequence delimiter
      if (len !== UNDEFINED && p + 8 + len > n) throw bad(what, p, len);
      p += open[open.length - 1] === 'frag' && len !== UNDEFINED ? 8 + len : 8;
      continue;
    }
    const explicitHere = meta || !implicit;
    if (!explicitHere) {
      const len = dv.getUint32(p + 4, le);
      if (len === UNDEFINED) { open.push(group === 0x7fe0 || (g === 0x7fe0) ? 'frag' : 'seq'); p += 8; continue; }
      if (p + 8 + len > n) throw bad(what, p, len);
      p += 8 + len;
      continue;
    }
    const vr = String.fromCharCode(bytes[p + 4]!, bytes[p + 5]!);
    if (LONG_VRS.has(vr)) {
      if (p + 12 > n) throw bad(what, p, 12);
      const len = dv.getUint32(p + 8, le);
      if (len === UNDEFINED || vr === 'SQ') {
        if (len !== UNDEFINED && p + 12 + len > n) throw bad(what, p, len);
        if (len === UNDEFINED) open.push(vr === 'SQ' ? 'seq' : 'frag');
        p += 12; // step into the sequence / encapsulated fragments
        continue;
      }
      if (p + 12 + len > n) throw bad(what, p, len);
      p += 12 + len;
    } else {
      const len = dv.getUint16(p + 6, le);
      if (p + 8 + len > n) throw bad(what, p, len);
      p += 8 + len;
    }
  }
}

function bad(what: string, at: number, len: number): DicomError {
  return new DicomError('truncated', `${what}: the data element at byte ${at} declares ${len} bytes, past the end of the file; the file is truncated or damaged`);
}

/** The Transfer Syntax UID from the file meta group (explicit VR little endian), if present. */
export function metaTransferSyntax(bytes: Uint8Array): string | undefined {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 132;
  while (p + 8 <= bytes.length && dv.getUint16(p, true) === 0x0002) {
    const elem = dv.getUint16(p + 2, true);
    const vr = String.fromCharCode(bytes[p + 4]!, bytes[p + 5]!);
    const long = LONG_VRS.has(vr);
    const len = long ? (p + 12 <= bytes.length ? dv.getUint32(p + 8, true) : 0) : dv.getUint16(p + 6, true);
    const start = p + (long ? 12 : 8);
    if (len === UNDEFINED || start + len > bytes.length) return undefined;
    if (elem === 0x0010) return new TextDecoder().decode(bytes.subarray(start, start + len)).replace(/[\0 ]+$/, '');
    p = start + len;
  }
  return undefined;
}
