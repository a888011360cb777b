// End-to-end tests: the built renderer served by the real browser host, driven in Chromium.
import { defineConfig } from '@playwright/test';

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--headless=new', '--disable-gpu', '--enable-unsafe-swiftshader',
  // Keep the browser off the network: tests talk to 127.0.0.1 only.
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
];

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'tests/output/playwright',
  globalSetup: './tests/e2e/global-setup.ts',
  // One host and a shared 2-core machine: run tests one at a time.
  workers: 1,
  fullyParallel: false,
  timeout: 120_000,
  expect: { timeout: 30_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    viewport: { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS },
    trace: 'off',
    screenshot: 'only-on-failure',
  },
});
