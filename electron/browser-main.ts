// `npx tsx electron/browser-main.ts [--port N] [--renderer-dir DIR]`: serve the app on 127.0.0.1
// and print the URL (with its access token). Runs until Ctrl-C.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createService } from './api/service.ts';
import { startBrowserHost } from './browser-host.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

async function main(): Promise<void> {
  let values: { port?: string; 'renderer-dir'?: string };
  try {
    ({ values } = parseArgs({ options: { port: { type: 'string' }, 'renderer-dir': { type: 'string' } }, strict: true }));
  } catch (e) {
    console.error(`receptive: ${(e as Error).message}\nusage: browser-main [--port N] [--renderer-dir DIR]`);
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
  const service = createService({ host: 'browser' });
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

void main();
