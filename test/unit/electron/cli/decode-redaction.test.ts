/**
 * `cardbench decode` and PIN data, as users run it (a child process): exact bytes by default
 * with `"redacted": false` and a line saying how to mask them; with --redact-pins, no field
 * of the JSON and no line of the transcript holds the PIN, in any form.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../../electron/cli/exit-codes.js';
import { REPO_ROOT, requireShared, sharedPath } from '../../../shared-path.js';
import { apduLevelSecrets, expectNoSecretField, PIN_FORMS, secretsIn, t1Secrets } from '../../core/trace/secret-captures.js';

const PINPAD = ['captures', 'usbmon-qemu-pinpad', 'pinpad-labcard.usbmon.pcapng'];
const pinpadMissing = requireShared(...PINPAD);
const PINPAD_PIN = ['31323334', '1234'];

const scratch = mkdtempSync(join(tmpdir(), 'cardbench-redact-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const APDU_CAPTURE = join(scratch, 'apdu-secrets.pcapng');
const T1_CAPTURE = join(scratch, 't1-secrets.pcapng');
writeFileSync(APDU_CAPTURE, apduLevelSecrets());
writeFileSync(T1_CAPTURE, t1Secrets());

function cardbench(...args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(EXIT.ok);
  return run.stdout;
}

/** Each test starts the CLI several times (about a second each, more on a busy machine). */
const SLOW = 60_000;

describe('cardbench decode and secret command data', () => {
  it(
    '--json keeps the captured bytes and says "redacted": false; --redact-pins leaves no PIN or key in any field',
    () => {
      for (const capture of [APDU_CAPTURE, T1_CAPTURE]) {
        const plain = JSON.parse(cardbench('decode', capture, '--json')) as { redacted: unknown };
        expect(plain.redacted).toBe(false);
        expect(secretsIn(JSON.stringify(plain))).toContain(PIN_FORMS[0]);
        const masked = JSON.parse(cardbench('decode', capture, '--json', '--redact-pins')) as { redacted: unknown };
        expect(masked.redacted).toBe(true);
        expectNoSecretField(masked);
      }
    },
    SLOW,
  );

  it(
    'the text transcript says PIN data is shown and how to mask it; with --redact-pins no line holds it, spaced or not',
    () => {
      const plain = cardbench('decode', APDU_CAPTURE);
      expect(plain).toMatch(/^PIN data: 12 commands carry secret data, shown as captured \(mask them with --redact-pins\)$/m);
      const masked = cardbench('decode', T1_CAPTURE, '--redact-pins');
      expect(masked).toMatch(/^Capture .* \(secret command data masked as \*\*\)$/m);
      expect(masked).toMatch(/^PIN data: 2 commands carry secret data, masked as \*\*$/m);
      expect(secretsIn(masked)).toEqual([]);
    },
    SLOW,
  );

  it.skipIf(pinpadMissing)(
    'the real pinpad capture: JSON and text with --redact-pins hold PIN 1234 nowhere',
    () => {
      const file = sharedPath(...PINPAD);
      expect(cardbench('decode', file, '--json')).toContain('31323334');
      expectNoSecretField(JSON.parse(cardbench('decode', file, '--json', '--redact-pins')), PINPAD_PIN);
      const text = cardbench('decode', file, '--redact-pins');
      expect(secretsIn(text, PINPAD_PIN)).toEqual([]);
      expect(cardbench('decode', file)).toMatch(
        /^PIN data: 1 command carries secret data, shown as captured \(mask it with --redact-pins\)$/m,
      );
    },
    SLOW,
  );
});
