import { describe, expect, it } from 'vitest';
import type { AddonAbi } from '../../../../../electron/backend/native/addon-abi.js';
import {
  electronBuildState,
  formatBuildStamp,
  parseBuildStamp,
  type BuildStamp,
  type ElectronBuildWanted,
} from '../../../../../electron/backend/native/electron-build-state.js';

const WANTED: ElectronBuildWanted = {
  module: 'pcsclite',
  moduleVersion: '1.0.1',
  electronVersion: '45.5.0',
  abi: 150,
  platform: 'linux',
  arch: 'x64',
};
const STAMP: BuildStamp = { ...WANTED, builtAt: '2026-11-02T10:00:00.000Z' };
const FITS: AddonAbi = { kind: 'node-abi', abi: 150, format: 'elf' };

const state = (addon: AddonAbi | undefined, stamp: Partial<BuildStamp> | string | undefined) =>
  electronBuildState({ addon, stampText: typeof stamp === 'object' ? formatBuildStamp({ ...STAMP, ...stamp }) : stamp }, WANTED);

describe('electronBuildState', () => {
  it('is ready when the addon registers for the ABI and the stamp matches', () => {
    expect(state(FITS, {})).toEqual({ state: 'ready' });
  });

  it('keeps a build across an Electron patch release with the same ABI', () => {
    expect(state(FITS, { electronVersion: '45.4.1' })).toEqual({ state: 'ready' });
  });

  it('is missing without an addon', () => {
    expect(state(undefined, undefined)).toEqual({ state: 'missing', why: 'no build of pcsclite for Electron 45.5.0 yet' });
  });

  it("is stale when the addon's own registration names another ABI, whatever the stamp says", () => {
    expect(state({ kind: 'node-abi', abi: 115, format: 'elf' }, {})).toEqual({
      state: 'stale',
      why: 'the build there is built for NODE_MODULE_VERSION 115; this runtime loads 150',
    });
  });

  it('is stale when the stamp is missing, unreadable, or names another module, ABI, version or platform', () => {
    expect(state(FITS, undefined)).toMatchObject({ state: 'stale', why: 'the build has no stamp' });
    expect(state(FITS, '{"module":')).toMatchObject({ state: 'stale', why: 'the build stamp is unreadable' });
    expect(state(FITS, { module: 'usb' })).toMatchObject({ state: 'stale' });
    expect(state(FITS, { abi: 146 })).toMatchObject({ state: 'stale', why: expect.stringContaining('146') });
    expect(state(FITS, { moduleVersion: '1.0.0' })).toMatchObject({ state: 'stale', why: 'pcsclite changed from 1.0.0 to 1.0.1' });
    expect(state(FITS, { arch: 'arm64' })).toMatchObject({ state: 'stale', why: expect.stringContaining('linux-arm64') });
  });

  it('trusts the stamp when the addon names no ABI (registered the old way)', () => {
    expect(state({ kind: 'unknown', reason: 'no module registration symbol found' }, {})).toEqual({ state: 'ready' });
    expect(state({ kind: 'unknown', reason: 'no module registration symbol found' }, { abi: 115 })).toMatchObject({ state: 'stale' });
  });
});

describe('build stamp', () => {
  it('round-trips and rejects anything it did not write', () => {
    expect(parseBuildStamp(formatBuildStamp(STAMP))).toEqual(STAMP);
    for (const text of [
      '',
      'null',
      '[]',
      '{}',
      JSON.stringify({ ...STAMP, abi: '150' }),
      JSON.stringify({ ...STAMP, abi: 150.5 }),
      JSON.stringify({ ...STAMP, arch: 1 }),
    ]) {
      expect(parseBuildStamp(text)).toBeUndefined();
    }
  });
});
