// Arithmetic on shape dimensions that may be symbolic ('N', 'batch', '?').
// Products are kept as number × multiset of symbols so that e.g. Reshape's -1 can divide them back.
import type { Shape, ShapeDim } from './types.ts';

export const isNum = (d: ShapeDim | undefined): d is number => typeof d === 'number';
export const allNum = (s: readonly ShapeDim[]): s is number[] => s.every(isNum);

interface Product { num: number; syms: string[] }

function toProduct(dims: readonly ShapeDim[]): Product {
  let num = 1;
  const syms: string[] = [];
  for (const d of dims) {
    if (typeof d === 'number') num *= d;
    else if (d.includes('*')) for (const p of d.split('*')) { const v = Number(p); if (p !== '' && Number.isFinite(v)) num *= v; else syms.push(p); }
    else syms.push(d);
  }
  return { num, syms: syms.sort() };
}

function fromProduct(p: Product): ShapeDim {
  if (p.syms.length === 0) return p.num;
  if (p.syms.includes('?')) return '?';
  return p.num === 1 ? p.syms.join('*') : `${p.syms.join('*')}*${p.num}`;
}

/** Product of dims (number when all numeric). */
export function prod(dims: readonly ShapeDim[]): ShapeDim {
  return fromProduct(toProduct(dims));
}

/** a / b for products, when it divides exactly (symbols cancel); undefined otherwise. */
export function divide(a: ShapeDim, b: ShapeDim): ShapeDim | undefined {
  const pa = toProduct([a]), pb = toProduct([b]);
  if (pb.num === 0 || pa.num % pb.num !== 0) return undefined;
  const rest = [...pa.syms];
  for (const s of pb.syms) {
    const i = rest.indexOf(s);
    if (i < 0 || s === '?') return undefined;
    rest.splice(i, 1);
  }
  return fromProduct({ num: pa.num / pb.num, syms: rest });
}

/** Sum of dims (symbolic sum as text when any is symbolic). */
export function sum(dims: readonly ShapeDim[]): ShapeDim {
  if (allNum(dims)) return dims.reduce((a, b) => a + b, 0);
  if (dims.includes('?')) return '?';
  const n = dims.filter(isNum).reduce((a, b) => a + b, 0);
  const s = dims.filter((d): d is string => !isNum(d));
  return n === 0 ? s.join('+') : `${s.join('+')}+${n}`;
}

/** Numpy broadcasting of two shapes; throws with a readable message when incompatible. */
export function broadcast(a: Shape, b: Shape): Shape {
  const r = Math.max(a.length, b.length);
  const out: Shape = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1, y = b[b.length - r + i] ?? 1;
    if (x === 1) out.push(y);
    else if (y === 1) out.push(x);
    else if (x === y) out.push(x);
    else if (isNum(x) && isNum(y)) throw new Error(`shapes [${a.join(',')}] and [${b.join(',')}] do not broadcast`);
    else out.push(isNum(x) ? x : isNum(y) ? y : x);
  }
  return out;
}

export const fmtShape = (s: Shape | null | undefined): string => s ? `[${s.join(', ')}]` : '?';
