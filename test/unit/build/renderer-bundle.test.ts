/**
 * The renderer validates nothing itself (the backend checks every argument against the contract's
 * zod schemas), so zod has no business in its bundle. It slipped in once through a plain constant
 * imported from a channel module, whose schemas are built when the module loads: +170 kB.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../shared-path.js';

const assets = join(REPO_ROOT, 'out/renderer/assets');
const built = existsSync(assets);
if (!built) console.warn('[skip] renderer bundle: the renderer is not built (npm run build)');

describe.skipIf(!built)('the built renderer bundle', () => {
  it('holds no zod', () => {
    const scripts = readdirSync(assets).filter((name) => name.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    for (const name of scripts) expect(readFileSync(join(assets, name), 'utf8')).not.toMatch(/ZodError|\$ZodType/);
  });
});
