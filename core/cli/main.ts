// `receptive COMMAND [args] [options]`: parses the command line, runs a command from the registry,
// and turns failures into one line on stderr and an exit status (stack traces only with RECEPTIVE_DEBUG=1).
import { parseArgs } from 'node:util';
import { providerSchema, type ProviderChoice } from '../../electron/api/contract.ts';
import { EXIT, UsageError, errorCode, oneLine } from './errors.ts';
import { Output, type Stream } from './output.ts';
import { isParsed, loadCommands, type AnyCommand, type Command, type OptionSpec, type OptionValues } from './registry.ts';

export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  json: { type: 'boolean', description: 'print one machine-readable JSON document on stdout' },
  provider: { type: 'string', arg: 'P', description: 'execution provider: auto (default), cpu, cuda, dml, webgpu' },
  help: { type: 'boolean', short: 'h', description: 'show help' },
};

export interface MainIo { stdout?: Stream; stderr?: Stream; env?: Record<string, string | undefined> }

function optionHelp(opts: Record<string, OptionSpec>): string[] {
  const rows = Object.entries(opts).map(([k, o]) => [`${o.short ? `-${o.short}, ` : '    '}--${k}${o.type === 'string' ? ` ${o.arg ?? 'VALUE'}` : ''}`, o.description]);
  const w = Math.max(...rows.map((r) => r[0]!.length));
  return rows.map(([a, d]) => `  ${a!.padEnd(w)}  ${d}`);
}

export function commandHelp(c: Command): string {
  return [
    `usage: ${c.usage}`, '', c.summary, ...(c.description ? ['', c.description] : []), '',
    'options:', ...optionHelp({ ...(c.options ?? {}), ...GLOBAL_OPTIONS }),
  ].join('\n');
}

function mainHelp(cmds: Map<string, AnyCommand>): string {
  const w = Math.max(...[...cmds.keys()].map((k) => k.length));
  return [
    'usage: receptive COMMAND [ARGS] [--json] [--provider P]', '',
    'Look inside convolutional networks from the command line. MODEL is an .onnx file or zoo:NAME.', '',
    'commands:', ...[...cmds.values()].sort((a, b) => a.name.localeCompare(b.name)).map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`), '',
    "Run 'receptive COMMAND --help' for a command's options.",
  ].join('\n');
}

export async function main(argv: string[], io: MainIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout, stderr = io.stderr ?? process.stderr;
  const env = io.env ?? process.env;
  const json = argv.includes('--json');
  const out = new Output(stdout, stderr, json);
  let known: string | undefined;
  try {
    const cmdName = argv.find((a) => !a.startsWith('-'));
    // Only the named command's module is loaded when it exists (fast start); help needs them all.
    const cmds = cmdName ? await loadCommands({ only: cmdName }) : await loadCommands();
    if (!cmdName) {
      if (argv.includes('--version')) { stdout.write(`${await version()}\n`); return EXIT.ok; }
      if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) { stdout.write(`${mainHelp(cmds)}\n`); return argv.length ? EXIT.ok : EXIT.usage; }
      throw new UsageError(`no command given (commands: ${[...cmds.keys()].join(', ')})`);
    }
    const cmd = cmds.get(cmdName);
    if (!cmd) throw new UsageError(`unknown command "${cmdName}" (commands: ${[...(await loadCommands()).keys()].join(', ')})`);
    known = cmd.name;
    const rest = [...argv];
    rest.splice(argv.indexOf(cmdName), 1);
    if (!isParsed(cmd)) return await cmd.run(rest);
    const options = { ...(cmd.options ?? {}), ...GLOBAL_OPTIONS };
    let parsed: { values: OptionValues; positionals: string[] };
    try {
      parsed = parseArgs({
        args: rest, allowPositionals: true, strict: true,
        options: Object.fromEntries(Object.entries(options).map(([k, o]) => [k, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) }])),
      }) as { values: OptionValues; positionals: string[] };
    } catch (e) {
      throw new UsageError(oneLine(e).replace(/\. To specify a positional argument.*$/, ''), cmd.name);
    }
    if (parsed.values.help) { stdout.write(`${commandHelp(cmd)}\n`); return EXIT.ok; }
    const pos = cmd.positionals ?? { min: 0, max: 0 };
    if (parsed.positionals.length < pos.min) throw new UsageError(`missing ${pos.names ?? 'arguments'} (usage: ${cmd.usage})`, cmd.name);
    if (pos.max !== undefined && parsed.positionals.length > pos.max) {
      throw new UsageError(`unexpected argument "${parsed.positionals[pos.max]}" (usage: ${cmd.usage})`, cmd.name);
    }
    const prov = providerSchema.safeParse(parsed.values.provider ?? 'auto');
    if (!prov.success) throw new UsageError(`--provider must be one of ${providerSchema.options.join(', ')} (got "${String(parsed.values.provider)}")`, cmd.name);
    const code = await cmd.run({ args: parsed.positionals, values: parsed.values, json, provider: prov.data as ProviderChoice, out });
    return code ?? EXIT.ok;
  } catch (e) {
    const usage = e instanceof UsageError;
    const prefix = usage && known ? `receptive ${known}` : 'receptive';
    stderr.write(`${prefix}: ${oneLine(e)}\n`);
    if (env.RECEPTIVE_DEBUG === '1' && e instanceof Error && e.stack) stderr.write(`${e.stack}\n`);
    if (json && !out.wroteJson) stdout.write(`${JSON.stringify({ error: { code: errorCode(e), message: oneLine(e) } })}\n`);
    return usage ? EXIT.usage : errorCode(e) === 'cancelled' ? EXIT.cancelled : EXIT.failed;
  }
}

async function version(): Promise<string> {
  const { readFileSync } = await import('node:fs');
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
