/**
 * The CLI finds the build from wherever its code was bundled: the bundler splits commands into
 * out/main/chunks, one folder deeper than cli.js (a missed level made `cardbench web` say the
 * renderer was not built, from a complete build).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { locateAppRoot, locateRendererBuild } from '../../../../electron/cli/locate-build.js';
import { REPO_ROOT } from '../../../shared-path.js';

const app = mkdtempSync(join(tmpdir(), 'cardbench-layout-'));
afterAll(() => rmSync(app, { recursive: true, force: true }));
for (const dir of ['out/main/chunks', 'out/renderer', 'electron/cli']) mkdirSync(join(app, dir), { recursive: true });
writeFileSync(join(app, 'out/renderer/index.html'), '');
writeFileSync(join(app, 'out/main/index.js'), '');

describe('locating the build', () => {
  it.each([
    ['the bundled entry', 'out/main'],
    ['a split-off chunk', 'out/main/chunks'],
    ['the source', 'electron/cli'],
  ])('from %s', (_, from) => {
    expect(locateRendererBuild(join(app, from))).toBe(join(app, 'out/renderer'));
    expect(locateAppRoot(join(app, from))).toBe(app);
  });

  it('says what to run when there is no build', () => {
    const empty = mkdtempSync(join(app, 'empty-'));
    mkdirSync(join(empty, 'out/main/chunks'), { recursive: true });
    expect(() => locateRendererBuild(join(empty, 'out/main/chunks'))).toThrow('The renderer is not built yet: run `npm run build` first');
    expect(() => locateAppRoot(join(empty, 'out/main/chunks'))).toThrow('The desktop app is not built yet');
  });

  const chunks = join(REPO_ROOT, 'out/main/chunks');
  const notBuilt = !existsSync(chunks);
  if (notBuilt) console.warn('[skip] locating from the real build: the CLI is not built with chunks (npm run build)');
  it.skipIf(notBuilt)('the real build: the chunks of the CLI find out/renderer', () => {
    expect(readdirSync(chunks).length).toBeGreaterThan(0);
    expect(locateRendererBuild(chunks)).toBe(join(REPO_ROOT, 'out/renderer'));
  });
});
