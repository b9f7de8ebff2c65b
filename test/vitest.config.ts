import { svelte } from '@sveltejs/vite-plugin-svelte';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Settings and console history written by tests go to a throwaway folder, never the user's.
process.env.CARDBENCH_DATA_DIR ??= mkdtempSync(join(tmpdir(), 'cardbench-test-data-'));

const root = new URL('..', import.meta.url).pathname;

export default defineConfig({
  root,
  test: {
    // One fixed seed for every property test (see the file for how to explore others).
    setupFiles: ['test/support/property-seed.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          exclude: ['test/unit/renderer/**'],
          environment: 'node',
        },
      },
      {
        extends: true,
        plugins: [svelte({ configFile: `${root}renderer/svelte.config.js` })],
        resolve: { conditions: ['browser'] },
        test: {
          name: 'renderer',
          include: ['test/unit/renderer/**/*.test.ts'],
          environment: 'happy-dom',
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          // Each file owns a private pcscd; running them one after another keeps readers apart.
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
