/**
 * The shell in Chromium, browser mode: keys that stay with the browser, the theme kept across a
 * reload, the icon, and no character drawn as a missing-glyph box.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../shared-path.js';
import { expect, test } from './web-server-fixture.js';

test.describe('browser mode shell: keys, theme, icon, glyphs', () => {
  test('Ctrl+1…4 and Ctrl+O stay with the browser; Alt+Shift+1…4 switch; ? lists the keys', async ({ page, webMode }) => {
    await page.goto(webMode.url);
    await expect(page.locator('[data-ready="true"]')).toBeVisible();
    // What the page did with each key, read after every handler ran (the window's last listener).
    await page.evaluate(() => {
      const w = window as unknown as { prevented: string[] };
      w.prevented = [];
      window.addEventListener('keydown', (event) => {
        if (event.defaultPrevented) w.prevented.push(`${event.ctrlKey ? 'Ctrl+' : ''}${event.altKey ? 'Alt+' : ''}${event.code}`);
      });
    });
    const prevented = (): Promise<string[]> => page.evaluate(() => (window as unknown as { prevented: string[] }).prevented);
    const panel = page.getByRole('tabpanel');

    await page.keyboard.press('Control+2');
    await page.keyboard.press('Control+o');
    await page.getByRole('tab', { name: 'Captures' }).click();
    await page.keyboard.press('Control+o');
    expect(await prevented()).toEqual([]);
    await expect(panel).toHaveAttribute('data-workbench', 'captures');

    await page.keyboard.press('Alt+Shift+2');
    await expect(panel).toHaveAttribute('data-workbench', 'console');
    await expect(page.getByRole('tab', { name: 'Console' })).toBeFocused();
    expect(await prevented()).toEqual(['Alt+Digit2']);

    await page.keyboard.press('Shift+Slash');
    const list = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await expect(list).toBeVisible();
    await expect(list).toContainText('Alt+Shift+1…4');
    await expect(list).toContainText('Alt+Shift+O');
    await page.keyboard.press('Escape');
    await expect(list).toBeHidden();
  });

  test('the theme applies at once and is still there after a reload', async ({ page, webMode }) => {
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(webMode.url);
    await expect(page.locator('[data-ready="true"]')).toBeVisible();
    const background = (): Promise<string> => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const picker = page.getByLabel('Theme');
    await expect(picker).toHaveValue('system');
    expect(await background()).toBe('rgb(255, 255, 255)');
    try {
      await picker.selectOption('dark');
      await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
      expect(await background()).toBe('rgb(22, 24, 29)');
      expect(await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme)).toBe('dark');
      await page.reload();
      await expect(page.getByLabel('Theme')).toHaveValue('dark');
      await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
      expect(await background()).toBe('rgb(22, 24, 29)');
      // Light wins over a dark system.
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.getByLabel('Theme').selectOption('light');
      expect(await background()).toBe('rgb(255, 255, 255)');
      await page.getByLabel('Theme').selectOption('system');
      expect(await background()).toBe('rgb(22, 24, 29)');
    } finally {
      await page.getByLabel('Theme').selectOption('system');
    }
  });

  test('the favicon is served, and the desktop app icon is the same drawing', async ({ page, webMode }) => {
    await page.goto(webMode.url);
    await expect(page.locator('[data-ready="true"]')).toBeVisible();
    const href = await page.locator('link[rel="icon"]').getAttribute('href');
    expect(href).toBeTruthy();
    const served = await page.evaluate(async (url) => {
      const response = await fetch(url);
      return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
    }, href!);
    expect(served.status).toBe(200);
    expect(served.type).toBe('image/svg+xml');
    expect(served.text).toBe(readFileSync(join(REPO_ROOT, 'renderer/public/favicon.svg'), 'utf8'));

    // build/icon.png (what electron-builder makes the app icons from) against the SVG, drawn at 128 px.
    const png = readFileSync(join(REPO_ROOT, 'build/icon.png')).toString('base64');
    const difference = await page.evaluate(
      async ({ svg, png }) => {
        const pixels = async (src: string): Promise<Uint8ClampedArray> => {
          const img = new Image();
          img.src = src;
          await img.decode();
          const canvas = document.createElement('canvas');
          canvas.width = canvas.height = 128;
          const context = canvas.getContext('2d', { willReadFrequently: true })!;
          context.drawImage(img, 0, 0, 128, 128);
          return context.getImageData(0, 0, 128, 128).data;
        };
        const [a, b] = await Promise.all([pixels(svg), pixels(`data:image/png;base64,${png}`)]);
        let total = 0;
        for (let i = 0; i < a.length; i++) total += Math.abs(a[i]! - b[i]!);
        return total / a.length;
      },
      { svg: href!, png },
    );
    // Resampling differs a little; another drawing differs by tens per channel.
    expect(difference).toBeLessThan(2);
  });

  test('every character the renderer and core can show has a glyph here (no missing-character box)', async ({ page, webMode }) => {
    const sources = [...listFiles(join(REPO_ROOT, 'renderer/src')), ...listFiles(join(REPO_ROOT, 'core'))].filter((f) =>
      /\.(svelte|ts|css)$/.test(f),
    );
    const where = new Map<string, string>();
    for (const file of sources) {
      for (const char of readFileSync(file, 'utf8')) {
        if (char.codePointAt(0)! > 0x7f && !where.has(char)) where.set(char, relative(REPO_ROOT, file));
      }
    }
    expect(where.size).toBeGreaterThan(10);
    await page.goto(webMode.url);
    await expect(page.locator('[data-ready="true"]')).toBeVisible();
    const missing = await page.evaluate(
      (chars) => {
        const canvas = document.createElement('canvas');
        canvas.width = canvas.height = 48;
        const context = canvas.getContext('2d', { willReadFrequently: true })!;
        context.font = `32px ${getComputedStyle(document.documentElement).fontFamily}`;
        const draw = (text: string): string => {
          context.clearRect(0, 0, 48, 48);
          context.fillText(text, 4, 36);
          return Array.from(context.getImageData(0, 0, 48, 48).data).join(',');
        };
        // U+0378 is unassigned: no font has it, so it is drawn as the missing-glyph box.
        const box = draw('\u0378');
        if (!/[1-9]/.test(box)) throw new Error('the missing-glyph reference drew nothing');
        return chars.filter((char) => draw(char) === box);
      },
      [...where.keys()],
    );
    expect(missing.map((char) => `${char} U+${char.codePointAt(0)!.toString(16).toUpperCase()} (${where.get(char)})`)).toEqual([]);
  });
});

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}
