/**
 * Renders the app icon for electron-builder (build/icon.png, 1024×1024: it makes the .icns and
 * .ico from it) from the favicon (renderer/public/favicon.svg), the one drawing of the icon, in
 * Debian's Chromium. Run after changing the drawing: `npx tsx build/render-icon.ts`;
 * test/e2e-web/app-icon.spec.ts fails while the two differ.
 */
import { chromium } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const SIZE = 1024;
const svg = readFileSync(resolve(root, 'renderer/public/favicon.svg'), 'utf8');

const browser = await chromium.launch({
  executablePath: process.env.CARDBENCH_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  const page = await browser.newPage({ viewport: { width: SIZE, height: SIZE } });
  await page.setContent(
    `<style>html,body{margin:0;background:transparent}img{display:block;width:${SIZE}px;height:${SIZE}px}</style>` +
      `<img src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}">`,
  );
  await page.locator('img').evaluate((img: HTMLImageElement) => img.decode());
  await page.screenshot({ path: resolve(root, 'build/icon.png'), omitBackground: true });
  console.log(`build/icon.png: ${SIZE}×${SIZE} from renderer/public/favicon.svg`);
} finally {
  await browser.close();
}
