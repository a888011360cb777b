// Where commands write: results to stdout, diagnostics to stderr. In --json mode stdout holds exactly
// one JSON document (written once by `json()`), so scripts can parse it.

export interface Stream { write(s: string): unknown; isTTY?: boolean; columns?: number }

export class Output {
  private jsonWritten = false;
  constructor(readonly stdout: Stream, readonly stderr: Stream, readonly jsonMode: boolean) {}

  /** A line of human output (ignored in --json mode, where only the document goes to stdout). */
  line(s = ''): void {
    if (!this.jsonMode) this.stdout.write(`${s}\n`);
  }

  /** A diagnostic line (stderr), shown in both modes. */
  info(s: string): void {
    this.stderr.write(`${s}\n`);
  }

  /** The one JSON document of a --json run. */
  json(doc: unknown): void {
    if (this.jsonWritten) throw new Error('internal: a command wrote two JSON documents');
    this.jsonWritten = true;
    this.stdout.write(`${JSON.stringify(doc, jsonReplacer, 2)}\n`);
  }

  get wroteJson(): boolean { return this.jsonWritten; }
}

function jsonReplacer(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  return v;
}

/** Text table with right-aligned numeric columns. */
export function table(head: string[], rows: (string | number)[][], opts: { align?: ('l' | 'r')[] } = {}): string {
  const cells = rows.map((r) => r.map((c) => String(c)));
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const align = opts.align ?? head.map((_, i) => (cells.length && cells.every((r) => /^[-+]?[\d.,]+[%kMGT]?$|^$|^—$/.test(r[i] ?? '')) ? 'r' : 'l'));
  const fmt = (r: string[]) => r.map((c, i) => (align[i] === 'r' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [fmt(head), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.map(fmt)].join('\n');
}

/** 1234567 → "1,234,567". */
export function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** 1.82e9 → "1.82G". */
export function compact(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e12) return `${(n / 1e12).toFixed(2)}T`;
  if (a >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}
