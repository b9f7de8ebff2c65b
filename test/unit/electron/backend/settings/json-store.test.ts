import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openConsoleStore } from '../../../../../electron/backend/settings/console-store.js';
import { cardbenchDataDir } from '../../../../../electron/backend/settings/data-dir.js';
import { JsonStore } from '../../../../../electron/backend/settings/json-store.js';

describe('JsonStore', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cardbench-store-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const open = () =>
    new JsonStore<{ n: number }>(
      join(dir, 'sub', 'doc.json'),
      () => ({ n: 0 }),
      (raw) => {
        if (typeof (raw as { n?: unknown }).n !== 'number') throw new Error('n is not a number');
        return raw as { n: number };
      },
    );

  it('starts from defaults, writes atomically (no temporary left) and reads back', () => {
    const store = open();
    expect(store.value).toEqual({ n: 0 });
    expect(store.loadProblem).toBeUndefined();
    store.write({ n: 7 });
    expect(readdirSync(join(dir, 'sub'))).toEqual(['doc.json']);
    expect(open().value).toEqual({ n: 7 });
  });

  it('a corrupted file is set aside, a fresh one started, with a message — never a crash', () => {
    open().write({ n: 1 });
    writeFileSync(join(dir, 'sub', 'doc.json'), '{"n": 1, trunc');
    const store = open();
    expect(store.value).toEqual({ n: 0 });
    expect(store.loadProblem).toMatch(/doc\.json was not valid .* saved as .*doc\.json\.corrupt-/);
    const aside = readdirSync(join(dir, 'sub')).find((f) => f.startsWith('doc.json.corrupt-'));
    expect(readFileSync(join(dir, 'sub', aside!), 'utf8')).toBe('{"n": 1, trunc');
    expect(existsSync(join(dir, 'sub', 'doc.json'))).toBe(false);
    store.write({ n: 2 });
    expect(open().value).toEqual({ n: 2 });
  });

  it('a file of the wrong shape is treated the same way', () => {
    writeFileSync(join(dir, 'console.json'), '[1,2,3]');
    const store = openConsoleStore(dir);
    expect(store.value).toEqual({ version: 1, history: [], snippets: [] });
    expect(store.loadProblem).toMatch(/not an object/);
  });

  it('CARDBENCH_DATA_DIR overrides the data directory', () => {
    expect(cardbenchDataDir({ CARDBENCH_DATA_DIR: '/x/y' }, 'linux')).toBe('/x/y');
    expect(cardbenchDataDir({ XDG_CONFIG_HOME: '/cfg' }, 'linux')).toBe('/cfg/Cardbench');
  });
});
