// Playwright global setup: build the renderer, start the browser host (with a generated data folder),
// hand its URL to the tests (workers inherit process.env), and stop the host afterwards.
import { buildRenderer, startHost } from './host-process.ts';
import { makeE2eData } from './own-data-fixture.ts';

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!process.env.RECEPTIVE_SKIP_BUILD) buildRenderer();
  // The user's own data sets (own-data.spec.ts): the host offers them through listDataPaths.
  const host = await startHost(undefined, ['--data', await makeE2eData()]);
  process.env.RECEPTIVE_URL = host.url;
  return () => host.stop();
}
