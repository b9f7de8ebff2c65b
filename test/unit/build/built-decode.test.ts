/**
 * The built `cardbench decode` (out/main/cli.js) starts its decoder's thread before the command
 * has loaded and hands it the decode once it has (prestartDecodeWorker): a path only the build
 * takes (from source the worker needs tsx's loader and the decode starts its own). Through it the
 * output must be the source's, what the worker finds must come through as from a worker started
 * for the decode, and a decode that never starts must not keep the process alive.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeTraceBytes } from '#core/trace/index.js';
import { REPO_ROOT, requireShared, sharedPath } from '../../shared-path.js';

const cli = join(REPO_ROOT, 'out/main/cli.js');
const built = existsSync(cli);
if (!built) console.warn('[skip] built decode: the CLI is not built (npm run build)');
const skipShared = requireShared('captures');
const GCC = sharedPath('captures', 'usbpcap-emv-gcc2024', 'usb.pcapng');
const dir = mkdtempSync(join(tmpdir(), 'cardbench-built-decode-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function builtDecode(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [cli, 'decode', ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
}

describe.skipIf(!built)('the built decode, its worker started ahead', () => {
  it.skipIf(skipShared)('prints the report the decoder makes', () => {
    const run = builtDecode([GCC, '--json']);
    expect(run.status).toBe(0);
    const bytes = new Uint8Array(readFileSync(GCC));
    expect(run.stdout).toBe(`${JSON.stringify(decodeTraceBytes(bytes, { file: GCC }), null, 2)}\n`);
  });

  it('reports what the worker found: a file that is no capture', () => {
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'these are not the packets you are looking for\n');
    const run = builtDecode([file, '--json']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^cardbench: decode: .*notes\.txt: not a pcap\/pcapng file or pcsc-spy log/m);
  });

  it('ends at once when the decode never starts (no such file)', () => {
    const started = performance.now();
    const run = builtDecode([join(dir, 'missing.pcapng')]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('no such file');
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
