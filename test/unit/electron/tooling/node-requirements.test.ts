import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CLI_NODE_MINIMUM,
  compareNodeVersions,
  DESKTOP_NODE_MINIMUM,
  desktopNodeAdvice,
} from '../../../../electron/tooling/node-requirements.js';
import { REPO_ROOT } from '../../../shared-path.js';

const engines = (path: string): string =>
  (JSON.parse(readFileSync(join(REPO_ROOT, path), 'utf8')) as { engines: { node: string } }).engines.node;

describe('desktopNodeAdvice', () => {
  it('tells a Node older than 22.12 which Node each path needs', () => {
    expect(desktopNodeAdvice('v20.20.2', '45.5.0')).toBe(
      "Electron 45's own scripts (`npx install-electron`, `npm run package`) need Node ≥ 22.12; this is Node 20.20.2. " +
        'The command line and browser mode run on Node ≥ 20.19.',
    );
    expect(desktopNodeAdvice('v22.11.0', '45.5.0')).toContain('this is Node 22.11.0');
    expect(desktopNodeAdvice('v22.12.0-pre', undefined)).toBeUndefined();
  });

  it('says nothing from 22.12 on', () => {
    for (const version of ['v22.12.0', 'v22.20.1', 'v24.0.0', '25.1.0']) expect(desktopNodeAdvice(version, '45.5.0')).toBeUndefined();
  });

  it('names no Electron major it does not know', () => {
    expect(desktopNodeAdvice('v20.0.0', undefined)).toMatch(/^Electron's own scripts/);
  });
});

describe('compareNodeVersions', () => {
  it('orders by major, minor, patch, ignoring v and pre-release tails', () => {
    expect(compareNodeVersions('v20.19.0', '20.19.0')).toBe(0);
    expect(compareNodeVersions('20.9.0', '20.19.0')).toBe(-1);
    expect(compareNodeVersions('22.12', '22.11.9')).toBe(1);
    expect(compareNodeVersions('v24.0.0-nightly2026', '24.0.0')).toBe(0);
  });
});

describe('the minimums', () => {
  it("are the ones the packages declare: ours for the CLI, Electron's and @electron/rebuild's for the desktop path", () => {
    expect(engines('package.json')).toBe(`>=${CLI_NODE_MINIMUM.replace(/\.0$/, '')}`);
    expect(engines('node_modules/electron/package.json')).toBe(`>= ${DESKTOP_NODE_MINIMUM}`);
    expect(engines('node_modules/@electron/rebuild/package.json')).toBe(`>=${DESKTOP_NODE_MINIMUM}`);
  });
});
