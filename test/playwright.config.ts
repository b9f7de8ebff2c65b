import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Settings and console history of the app under test go to a throwaway folder, never the user's.
process.env.CARDBENCH_DATA_DIR ??= mkdtempSync(join(tmpdir(), 'cardbench-e2e-data-'));

/**
 * Two browser tiers. e2e-web drives Debian's Chromium (never a downloaded one) against browser
 * mode; e2e-electron drives the desktop app where an Electron binary exists and skips with a
 * printed reason elsewhere.
 */
export const CHROMIUM_PATH = process.env.CARDBENCH_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: '.',
  outputDir: './.results/playwright',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  reporter: [['list']],
  use: { trace: 'off', screenshot: 'only-on-failure' },
  projects: [
    {
      name: 'e2e-web',
      testMatch: 'e2e-web/**/*.spec.ts',
      use: {
        browserName: 'chromium',
        headless: true,
        launchOptions: {
          executablePath: CHROMIUM_PATH,
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
          ],
        },
      },
    },
    { name: 'e2e-electron', testMatch: 'e2e-electron/**/*.spec.ts' },
  ],
});
