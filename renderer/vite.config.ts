// Builds the renderer to dist/renderer. Output must run under the hosts' strict CSP
// (script-src 'self', no eval): no inline scripts, CSS emitted as files, workers as ES chunks.
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [svelte({ emitCss: true })],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // The polyfill would be an inline script; every host's browser supports modulepreload.
    modulePreload: { polyfill: false },
    cssCodeSplit: false,
    sourcemap: false,
    chunkSizeWarningLimit: 4096,
  },
  worker: { format: 'es' },
});
