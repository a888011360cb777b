// A minimal PNG encoder for test fixtures: exact control over bit depth and channels, independent of
// the sharp pipeline under test (so a sharp conversion bug cannot hide in both the fixture and the reader).
import { crc32, deflateSync } from 'node:zlib';

const COLOR_TYPE: Record<1 | 2 | 3 | 4, number> = { 1: 0, 2: 4, 3: 2, 4: 6 };

function chunk(type: string, data: Uint8Array): Buffer {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([len, body, crc]);
}

/** Pixels row-major, interleaved channels; `depth` 8 or 16 (16-bit samples are written big-endian). */
export function encodePngFixture(pixels: ArrayLike<number>, width: number, height: number, channels: 1 | 2 | 3 | 4, depth: 8 | 16 = 8): Buffer {
  if (pixels.length !== width * height * channels) throw new Error('fixture: pixel count mismatch');
  const bpp = channels * (depth / 8);
  const raw = Buffer.alloc(height * (1 + width * bpp));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * bpp);
    raw[row] = 0; // filter: none
    for (let i = 0; i < width * channels; i++) {
      const v = pixels[y * width * channels + i]!;
      if (depth === 8) raw[row + 1 + i] = v;
      else raw.writeUInt16BE(v, row + 1 + i * 2);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4);
  ihdr[8] = depth; ihdr[9] = COLOR_TYPE[channels]; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0)),
  ]);
}
