/**
 * Output arrives whole through a slow pipe: each command runs twice, once with stdout to a file
 * and once into a pipe whose reader sleeps a second before reading (the pipe's 64 KiB fill and
 * cardbench has to wait), and what arrived must be the same bytes with exit 0. Timings in the
 * exchange lines differ between two runs, so they are the one thing compared loosely.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCardbenchInto } from '../rigs/cli-process.js';
import { requireShared, sharedPath } from '../shared-path.js';

const SLOW_PIPE = { pipeWithDelayMs: 1000 };
const PIPE_BUFFER = 64 * 1024;
const VIRTUAL = 'Cardbench Virtual Pinpad';
const SELECT_FILE = '00A4000C022F01';
const READ_600 = '00B00000000258';
const CAPTURE = ['captures', 'usbpcap-emv-gcc2024', 'usb.pcapng'];
const captureMissing = requireShared(...CAPTURE);

/** "(1.234 ms)" in text and "ms": 1.234 in JSON are measured anew by every run. */
function withoutTimings(text: string): string {
  return text.replace(/\(\d+(?:\.\d+)? ms\)/g, '(… ms)').replace(/"ms": \d+(?:\.\d+)?/g, '"ms": …');
}

let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cardbench-pipes-'));
  env = { CARDBENCH_DATA_DIR: join(dir, 'data') };
  writeFileSync(join(dir, 'long.apdu'), [`${SELECT_FILE} => 9000`, ...Array.from({ length: 199 }, () => `${READ_600} => 9000`)].join('\n'));
  writeFileSync(
    join(dir, 'reads.txt'),
    [`# a file selected, then read 100 times`, SELECT_FILE, ...Array.from({ length: 100 }, () => READ_600)].join('\n'),
  );
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('cardbench output through a slow pipe', () => {
  it('run: a 200-step script (240 KB of output) arrives whole, the verdict line last, exit 0', async () => {
    const args = ['run', '--reader', VIRTUAL, join(dir, 'long.apdu')];
    const [file, piped] = [await runCardbenchInto('file', args, env), await runCardbenchInto(SLOW_PIPE, args, env)];
    expect(file.status).toBe(0);
    expect(piped.status).toBe(0);
    expect(piped.output.length).toBeGreaterThan(3 * PIPE_BUFFER);
    expect(withoutTimings(piped.output.toString())).toBe(withoutTimings(file.output.toString()));
    expect(piped.output.toString().endsWith('OK: 200 passed, 0 failed, 0 sent without assertion.\n')).toBe(true);
  });

  it('run --json: the streamed array arrives whole and parses', async () => {
    const args = ['run', '--json', '--reader', VIRTUAL, join(dir, 'long.apdu')];
    const [file, piped] = [await runCardbenchInto('file', args, env), await runCardbenchInto(SLOW_PIPE, args, env)];
    expect([file.status, piped.status]).toEqual([0, 0]);
    expect(withoutTimings(piped.output.toString())).toBe(withoutTimings(file.output.toString()));
    const steps = JSON.parse(piped.output.toString()) as { line: number; outcome: string }[];
    expect(steps).toHaveLength(200);
    expect(steps.every((step) => step.outcome === 'passed')).toBe(true);
  });

  it('send: 100 answers of 600 bytes (120 KB of hex) read from --file arrive whole, exit 0', async () => {
    for (const json of [false, true]) {
      const args = ['send', '--reader', VIRTUAL, ...(json ? ['--json'] : []), '--file', join(dir, 'reads.txt')];
      const [file, piped] = [await runCardbenchInto('file', args, env), await runCardbenchInto(SLOW_PIPE, args, env)];
      expect([file.status, piped.status]).toEqual([0, 0]);
      expect(piped.output.length).toBeGreaterThan(PIPE_BUFFER);
      expect(withoutTimings(piped.output.toString())).toBe(withoutTimings(file.output.toString()));
      if (json) expect(JSON.parse(piped.output.toString())).toHaveLength(101);
      else
        expect(
          piped.output
            .toString()
            .split('\n')
            .filter((line) => line.startsWith('< ')),
        ).toHaveLength(101);
    }
  });

  it.skipIf(captureMissing)('decode --json: a capture whose report is far over 64 KiB arrives byte for byte and parses', async () => {
    const args = ['decode', '--json', sharedPath(...CAPTURE)];
    const [file, piped] = [await runCardbenchInto('file', args, env), await runCardbenchInto(SLOW_PIPE, args, env)];
    expect([file.status, piped.status]).toEqual([0, 0]);
    expect(piped.output.length).toBeGreaterThan(PIPE_BUFFER);
    expect(piped.output.equals(file.output)).toBe(true);
    expect(() => JSON.parse(piped.output.toString()) as unknown).not.toThrow();
  });

  it('readers --json and --help arrive whole too', async () => {
    for (const args of [
      ['readers', '--json'],
      ['send', '--help'],
    ]) {
      const [file, piped] = [await runCardbenchInto('file', args, env), await runCardbenchInto(SLOW_PIPE, args, env)];
      expect([file.status, piped.status]).toEqual([0, 0]);
      expect(piped.output.equals(file.output)).toBe(true);
    }
  });
});
