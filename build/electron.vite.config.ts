import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');

/**
 * One build for the three targets: main (Electron main process and the CLI, both Node),
 * preload (one sandboxed CommonJS file) and the Svelte renderer.
 */
export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      rollupOptions: {
        input: {
          index: resolve(root, 'electron/main/index.ts'),
          cli: resolve(root, 'electron/cli/main.ts'),
          // The capture decoder's worker thread: beside cli.js and index.js, where decode-worker-host.ts looks for it.
          'capture-decode-worker': resolve(root, 'electron/backend/capture/capture-decode-worker.ts'),
          // The Captures search's worker thread, found the same way by row-search-host.ts.
          'row-search-worker': resolve(root, 'electron/backend/capture-store/row-search-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      rollupOptions: {
        input: { index: resolve(root, 'electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [svelte({ configFile: resolve(root, 'renderer/svelte.config.js') })],
    build: {
      outDir: resolve(root, 'out/renderer'),
      rollupOptions: { input: resolve(root, 'renderer/index.html') },
    },
  },
});
