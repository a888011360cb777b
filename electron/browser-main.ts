// `npx tsx electron/browser-main.ts [--port N] [--renderer-dir DIR] [--data DIR]`: serve the app on
// 127.0.0.1 and print the URL (with its access token). Runs until Ctrl-C. `--data DIR` (or
// RECEPTIVE_DATA_DIR) offers the data sets in DIR to the page: it has no native file dialog.
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createService } from './api/service.ts';
import { startBrowserHost } from './browser-host.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

async function main(): Promise<void> {
  let values: { port?: string; 'renderer-dir'?: string; data?: string };
  try {
    ({ values } = parseArgs({ options: { port: { type: 'string' }, 'renderer-dir': { type: 'string' }, data: { type: 'string' } }, strict: true }));
  } catch (e) {
    console.error(`receptive: ${(e as Error).message}\nusage: browser-main [--port N] [--renderer-dir DIR] [--data DIR]`);
    process.exit(2);
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`receptive: --port must be an integer 0–65535 (0 picks a free port), got "${values.port}"`);
    process.exit(2);
  }
  const rendererDir = resolve(values['renderer-dir'] ?? join(root, 'dist', 'renderer'));
  if (!existsSync(join(rendererDir, 'index.html'))) {
    console.warn(`receptive: ${rendererDir} has no index.html; build the renderer with \`npm run build:renderer\`. Serving the API anyway.`);
  }
  const dataArg = values.data ?? (process.env.RECEPTIVE_DATA_DIR || undefined);
  const dataDir = dataArg === undefined ? null : resolve(dataArg);
  if (dataDir !== null && !isDirectory(dataDir)) {
    console.error(`receptive: the data folder ${dataDir} ${existsSync(dataDir) ? 'is not a folder' : 'does not exist'}; give --data a folder holding your data sets (image folders, CSV lists, IDX files)`);
    process.exit(2);
  }
  const service = createService({ host: 'browser', dataDir });
  let host;
  try {
    host = await startBrowserHost({ port, rendererDir, service });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    console.error(err.code === 'EADDRINUSE'
      ? `receptive: port ${port} is in use; choose another with --port, or --port 0 for a free one`
      : `receptive: could not start the browser host: ${err.message}`);
    await service.close();
    process.exit(1);
  }
  console.log(`receptive: open ${host.url}`);
  if (dataDir !== null) console.log(`receptive: your data sets are read from ${dataDir}`);
  console.log('receptive: the link carries this run\'s access token; it works only on this machine. Ctrl-C stops the server.');
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void Promise.all([host.close(), service.close()]).finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function isDirectory(p: string): boolean {
  try { return statSync(p).isDirectory(); } catch { return false; }
}

void main();
