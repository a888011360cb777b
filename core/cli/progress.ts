// A progress display for long commands. On a terminal: one bar redrawn in place (at most ~10 times
// a second). Otherwise (pipes, CI logs): plain lines, one per 10 % or every 5 s, so logs stay short.
import type { Stream } from './output.ts';

export interface Progress {
  /** Set the absolute position; `message` replaces the label suffix (e.g. the current file). */
  update(done: number, message?: string): void;
  tick(n?: number, message?: string): void;
  /** Finish the display (the final line stays on screen). */
  done(message?: string): void;
}

export interface ProgressOptions {
  total: number;
  label: string;
  stream?: Stream;
  /** Force TTY or plain mode (defaults to stream.isTTY). */
  tty?: boolean;
  /** No output at all (e.g. --json or --quiet). */
  silent?: boolean;
  now?: () => number;
}

const WIDTH = 24;

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  const tty = opts.tty ?? !!stream.isTTY;
  const now = opts.now ?? (() => performance.now());
  const total = Math.max(0, opts.total);
  const start = now();
  let done = 0, lastDraw = -Infinity, lastDecile = -1, lastLine = start, finished = false, msg = '';

  const text = (): string => {
    const frac = total > 0 ? Math.min(1, done / total) : 1;
    const pct = `${Math.floor(frac * 100)}%`.padStart(4);
    const elapsed = now() - start;
    const eta = done > 0 && done < total ? ` eta ${duration((elapsed / done) * (total - done))}` : '';
    return `${opts.label} ${done}/${total} ${pct}${eta}${msg ? ` ${msg}` : ''}`;
  };

  const draw = (force: boolean) => {
    if (opts.silent || finished) return;
    const t = now();
    if (tty) {
      if (!force && t - lastDraw < 100) return;
      lastDraw = t;
      const frac = total > 0 ? Math.min(1, done / total) : 1;
      const filled = Math.round(frac * WIDTH);
      const bar = `[${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}]`;
      const cols = stream.columns ?? 100;
      stream.write(`\r\x1b[2K${`${bar} ${text()}`.slice(0, Math.max(10, cols - 1))}`);
    } else {
      const decile = total > 0 ? Math.floor((10 * done) / total) : 10;
      if (!force && decile === lastDecile && t - lastLine < 5000) return;
      lastDecile = decile; lastLine = t;
      stream.write(`${text()}\n`);
    }
  };

  return {
    update(n, message) { done = Math.max(0, Math.min(total, n)); if (message !== undefined) msg = message; draw(false); },
    tick(n = 1, message) { this.update(done + n, message); },
    done(message) {
      if (message !== undefined) msg = message;
      done = Math.max(done, 0);
      if (!opts.silent && !finished) {
        if (tty) { draw(true); stream.write('\n'); } else if (lastDecile !== 10 || message) stream.write(`${text()} (${duration(now() - start)})\n`);
      }
      finished = true;
    },
  };
}
