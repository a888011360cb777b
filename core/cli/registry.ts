// Commands register themselves by living in core/cli/commands/: every module there exports a Command
// (default export, an array of them, or named exports). Adding `train`, `embed`, `explain`… needs no
// edit elsewhere. Two shapes: a parsed Command (declares `options`/`positionals`; main parses the
// command line, handles --help/--json) or a RawCommand (neither; gets the argv after its name).
// Command modules should import heavy dependencies (onnxruntime, sharp, the zoo) inside run(), so
// `receptive --help` stays fast.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Output } from './output.ts';
import type { ProviderChoice } from '../../electron/api/contract.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Shown in --help, e.g. "K" for --top K. */
  arg?: string;
  description: string;
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface CommandContext {
  /** Positional arguments after the command name. */
  args: string[];
  values: OptionValues;
  json: boolean;
  provider: ProviderChoice;
  out: Output;
}

export interface Command {
  name: string;
  /** One line for `receptive --help`. */
  summary: string;
  /** e.g. "receptive run MODEL IMAGE... [options]" */
  usage: string;
  /** Further explanation shown by `receptive NAME --help`. */
  description?: string;
  options?: Record<string, OptionSpec>;
  /** Allowed positional count. */
  positionals?: { min: number; max?: number; names?: string };
  /** Returns the exit status (0 when omitted). */
  run(ctx: CommandContext): Promise<number | void>;
}

/** A command that parses its own arguments: `run(argv)` returns the exit status. */
export interface RawCommand {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}

export type AnyCommand = Command | RawCommand;

export function isParsed(c: AnyCommand): c is Command {
  return (c as Command).options !== undefined || (c as Command).positionals !== undefined;
}

const commandsDir = join(dirname(fileURLToPath(import.meta.url)), 'commands');

let cache: Map<string, AnyCommand> | undefined;

export function isCommand(v: unknown): v is AnyCommand {
  const c = v as AnyCommand;
  return !!c && typeof c === 'object' && typeof c.name === 'string' && typeof c.run === 'function' && typeof c.summary === 'string' && typeof c.usage === 'string';
}

async function commandsIn(dir: string, f: string): Promise<AnyCommand[]> {
  const mod = (await import(pathToFileURL(join(dir, f)).href)) as Record<string, unknown>;
  const found = new Set<AnyCommand>();
  for (const v of Object.values(mod)) for (const c of Array.isArray(v) ? v : [v]) if (isCommand(c)) found.add(c);
  if (found.size === 0) throw new Error(`core/cli/commands/${f} exports no command (an object with name, summary, usage and run)`);
  return [...found];
}

const isModule = (f: string) => /\.(ts|js|mjs)$/.test(f) && !f.endsWith('.d.ts') && !f.includes('.test.');

/**
 * Commands by name. With `only`, first tries the module named after the command
 * (commands/run.ts for `run`) so one command starts without importing the others.
 */
export async function loadCommands(opts: { dir?: string; only?: string } = {}): Promise<Map<string, AnyCommand>> {
  const dir = opts.dir ?? commandsDir;
  if (cache && dir === commandsDir) return cache;
  const files = readdirSync(dir).filter(isModule).sort();
  if (opts.only) {
    const f = files.find((x) => x.replace(/\.(ts|js|mjs)$/, '') === opts.only);
    if (f) {
      const hit = (await commandsIn(dir, f)).find((c) => c.name === opts.only);
      if (hit) return new Map([[hit.name, hit]]);
    }
  }
  const map = new Map<string, AnyCommand>();
  for (const f of files) {
    for (const c of await commandsIn(dir, f)) {
      if (map.has(c.name) && map.get(c.name) !== c) throw new Error(`command "${c.name}" is defined twice (core/cli/commands/${f})`);
      map.set(c.name, c);
    }
  }
  if (dir === commandsDir) cache = map;
  return map;
}
