// Iso-lines of a scalar grid by marching squares. Samples sit at cell centres: value (i, j) is at
// (i + ½, j + ½) in grid units, so segments line up with the map drawn one pixel per value.
// Saddle cells are resolved by the cell's mean value (the usual disambiguation).

/** Segments as flat [x1, y1, x2, y2, …] in grid units. */
export function contourSegments(v: ArrayLike<number>, width: number, height: number, level: number): Float32Array {
  const out: number[] = [];
  const at = (x: number, y: number) => v[y * width + x]!;
  // Where the iso-line crosses the edge between two samples (linear interpolation).
  const t = (a: number, b: number) => (a === b ? 0.5 : (level - a) / (b - a));
  for (let y = 0; y + 1 < height; y++) {
    for (let x = 0; x + 1 < width; x++) {
      const a = at(x, y), b = at(x + 1, y), c = at(x + 1, y + 1), d = at(x, y + 1);
      const code = (a >= level ? 8 : 0) | (b >= level ? 4 : 0) | (c >= level ? 2 : 0) | (d >= level ? 1 : 0);
      if (code === 0 || code === 15) continue;
      const x0 = x + 0.5, y0 = y + 0.5;
      const top: [number, number] = [x0 + t(a, b), y0];
      const right: [number, number] = [x0 + 1, y0 + t(b, c)];
      const bottom: [number, number] = [x0 + t(d, c), y0 + 1];
      const left: [number, number] = [x0, y0 + t(a, d)];
      const seg = (p: [number, number], q: [number, number]) => out.push(p[0], p[1], q[0], q[1]);
      switch (code) {
        case 1: case 14: seg(left, bottom); break;
        case 2: case 13: seg(bottom, right); break;
        case 3: case 12: seg(left, right); break;
        case 4: case 11: seg(top, right); break;
        case 6: case 9: seg(top, bottom); break;
        case 7: case 8: seg(left, top); break;
        case 5: case 10: {
          const centreAbove = (a + b + c + d) / 4 >= level;
          // 5: b and d above; 10: a and c above.
          if ((code === 5) === centreAbove) { seg(left, top); seg(bottom, right); } else { seg(top, right); seg(left, bottom); }
          break;
        }
      }
    }
  }
  return Float32Array.from(out);
}

/** "0.5, 0.8" → [0.5, 0.8] (values in (0, 1), at most 8, sorted). */
export function parseLevels(text: string): number[] {
  const vals = text.split(/[,\s]+/).filter(Boolean).map(Number).filter((x) => Number.isFinite(x) && x > 0 && x < 1);
  return [...new Set(vals)].sort((a, b) => a - b).slice(0, 8);
}
