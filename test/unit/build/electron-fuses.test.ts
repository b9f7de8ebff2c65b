/**
 * The packaged app's Electron fuses, as electron-builder will flip them: the config is read and
 * validated by electron-builder's own loader, turned into the fuse wire by its own code, and
 * every fuse @electron/fuses knows must be set to the value chosen here, for the reason given.
 * A fuse added by an Electron upgrade fails this test until someone decides its value.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../shared-path.js';

const require = createRequire(import.meta.url);

/** Every fuse, the value we ship, and why. Keys are @electron/fuses' FuseV1Options names. */
const WANTED: Record<string, { value: boolean; why: string }> = {
  RunAsNode: { value: false, why: 'ELECTRON_RUN_AS_NODE would turn the signed app into a plain Node interpreter' },
  EnableCookieEncryption: { value: true, why: 'cookies on disk are encrypted with the OS keychain' },
  EnableNodeOptionsEnvironmentVariable: { value: false, why: 'NODE_OPTIONS (--require…) would inject code into the main process' },
  EnableNodeCliInspectArguments: { value: false, why: '--inspect or SIGUSR1 would open a debugger on the main process' },
  EnableEmbeddedAsarIntegrityValidation: { value: true, why: 'app.asar is checked against the hash signed into the app' },
  OnlyLoadAppFromAsar: { value: true, why: 'no unsigned app/ folder is loaded instead of the validated app.asar' },
  LoadBrowserProcessSpecificV8Snapshot: { value: false, why: 'we ship no custom V8 snapshot; the default one is signed with Electron' },
  GrantFileProtocolExtraPrivileges: {
    value: false,
    why: 'the renderer is served from app://, so file:// pages need no more than a browser gives',
  },
};

interface BuilderConfig {
  electronFuses?: Record<string, unknown>;
  asar?: unknown;
}

async function loadBuilderConfig(): Promise<BuilderConfig> {
  // electron-builder's own loader and schema check, as `npm run package` runs them.
  const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
    getConfig(projectDir: string, configPath: string, configFromOptions: null): Promise<BuilderConfig>;
    validateConfiguration(config: BuilderConfig, debugLogger: unknown): Promise<void>;
  };
  const { DebugLogger } = require(require.resolve('builder-util', { paths: [require.resolve('app-builder-lib')] })) as {
    DebugLogger: new (enabled: boolean) => unknown;
  };
  const config = await getConfig(REPO_ROOT, join(REPO_ROOT, 'build', 'electron-builder.yml'), null);
  await validateConfiguration(config, new DebugLogger(false));
  return config;
}

/** The fuse wire electron-builder hands to @electron/fuses (index → value). */
async function fuseWire(fuses: Record<string, unknown>): Promise<Record<string, unknown>> {
  // app-builder-lib's modules import each other in a cycle: load its index first.
  const { PlatformPackager } = require('app-builder-lib') as {
    PlatformPackager: { prototype: { generateFuseConfig(fuses: Record<string, unknown>): Promise<Record<string, unknown>> } };
  };
  return PlatformPackager.prototype.generateFuseConfig.call(undefined, fuses);
}

describe('packaging fuses (build/electron-builder.yml)', () => {
  it('sets every Electron fuse to the value we want', async () => {
    const config = await loadBuilderConfig();
    expect(config.electronFuses, 'electronFuses is missing').toBeDefined();
    const wire = await fuseWire(config.electronFuses!);
    const { FuseV1Options } = (await import('@electron/fuses')) as { FuseV1Options: Record<string, number | string> };
    const known = Object.keys(FuseV1Options).filter((name) => Number.isNaN(Number(name)));
    expect(known.sort()).toEqual(Object.keys(WANTED).sort());
    for (const name of known) {
      const index = FuseV1Options[name] as number;
      expect(wire[index], `${name} must be ${WANTED[name]!.value}: ${WANTED[name]!.why}`).toBe(WANTED[name]!.value);
    }
  });

  it('keeps the app in an asar archive, which the asar fuses rely on', async () => {
    const config = await loadBuilderConfig();
    expect(config.asar ?? true).not.toBe(false);
  });
});
