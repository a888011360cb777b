// Playwright global setup: build the renderer, start the browser host, hand its URL to the tests
// (workers inherit process.env), and stop the host afterwards.
import { buildRenderer, startHost } from './host-process.ts';

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!process.env.RECEPTIVE_SKIP_BUILD) buildRenderer();
  const host = await startHost();
  process.env.RECEPTIVE_URL = host.url;
  return () => host.stop();
}
