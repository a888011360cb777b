// PDF from the HTML report through a browser's print-to-PDF. Electron hosts print on a hidden,
// sandboxed window (electron/main.ts passes that printer in); elsewhere (CLI, browser host) a
// system Chromium is driven through playwright-core, with JavaScript off and every network
// request refused (the report is self-contained, so nothing legitimate is lost).
import { existsSync } from 'node:fs';

export type PdfPrinter = (html: string) => Promise<Uint8Array>;

export class PdfUnavailableError extends Error {
  readonly code = 'invalid-request';
  constructor(message: string) { super(message); this.name = 'PdfUnavailableError'; }
}

/** Page setup shared by both printers (Electron printToPDF and Chromium page.pdf take the same idea). */
export const PDF_PAGE = { format: 'A4', printBackground: true, marginCm: 1 } as const;

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** A Chromium to print with: RECEPTIVE_CHROMIUM, else a system install; null when there is none. */
export function findChromium(env: Record<string, string | undefined> = process.env): string | null {
  const own = env.RECEPTIVE_CHROMIUM;
  if (own) return existsSync(own) ? own : null;
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

export function chromiumPrinter(executablePath = findChromium()): PdfPrinter {
  return async (html) => {
    if (!executablePath) throw new PdfUnavailableError('PDF export needs Chromium and none was found (set RECEPTIVE_CHROMIUM to its path, or export HTML and print it from a browser)');
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-first-run', '--disable-extensions'] })
      .catch((e: unknown) => { throw new PdfUnavailableError(`Chromium at ${executablePath} could not start (${(e as Error).message.split('\n')[0]}); export HTML instead`); });
    try {
      const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
      await context.route('**/*', (route) => route.abort());
      const page = await context.newPage();
      await page.setContent(html, { waitUntil: 'load' });
      const m = `${PDF_PAGE.marginCm}cm`;
      const pdf = await page.pdf({ format: PDF_PAGE.format, printBackground: PDF_PAGE.printBackground, margin: { top: m, bottom: m, left: m, right: m } });
      return new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength);
    } finally {
      await browser.close();
    }
  };
}

/**
 * webPreferences of Electron's hidden print window: sandboxed, isolated, no Node, no JavaScript
 * (the report has none), its own in-memory session so nothing of the app's session is shared.
 */
export function printWindowPreferences(): {
  sandbox: true; contextIsolation: true; nodeIntegration: false; nodeIntegrationInWorker: false; nodeIntegrationInSubFrames: false;
  javascript: false; webSecurity: true; allowRunningInsecureContent: false; webviewTag: false; devTools: false; spellcheck: false;
  navigateOnDragDrop: false; partition: string;
} {
  return {
    sandbox: true, contextIsolation: true, nodeIntegration: false, nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false,
    javascript: false, webSecurity: true, allowRunningInsecureContent: false, webviewTag: false, devTools: false, spellcheck: false,
    navigateOnDragDrop: false, partition: PRINT_PARTITION,
  };
}

/** In-memory (no "persist:" prefix) session of the print window. */
export const PRINT_PARTITION = 'receptive-print';

/** The print window may load only the report file itself and data: images inside it. */
export function printRequestAllowed(url: string, reportUrl: string): boolean {
  return url === reportUrl || url.startsWith('data:');
}

/** Electron printToPDF options matching PDF_PAGE (margins in inches). */
export function electronPdfOptions(): { pageSize: 'A4'; printBackground: boolean; margins: { top: number; bottom: number; left: number; right: number } } {
  const m = PDF_PAGE.marginCm / 2.54;
  return { pageSize: 'A4', printBackground: PDF_PAGE.printBackground, margins: { top: m, bottom: m, left: m, right: m } };
}
