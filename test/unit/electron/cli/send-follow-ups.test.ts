/**
 * `send --follow-ups` and `run --follow-ups` print the whole answer after the exchanges of an APDU
 * whose answer came in parts, as the Console shows it: GET DATA 6E with Le 5 on the built-in
 * virtual card answers 5 bytes and 61xx, GET RESPONSE brings the rest, and the whole answer
 * joins both parts' data under the last status word (child processes, as users run them).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCardbench } from '../../../rigs/cli-process.js';

const VIRTUAL = 'Cardbench Virtual Pinpad';
const SELECT_OPENPGP = '00A4040006D27600012401';
const GET_DATA_6E_LE5 = '00CA006E05';

const dir = mkdtempSync(join(tmpdir(), 'cardbench-follow-ups-'));
const env = { CARDBENCH_DATA_DIR: join(dir, 'data') };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Printed {
  command: string;
  response: string;
  sw: string;
  automatic?: true;
  assembledFrom?: number;
}

describe('the whole answer of a followed-up APDU', { timeout: 60_000 }, () => {
  it('send --json: the exchanges, then the whole answer joining their data', async () => {
    const run = await runCardbench(['send', '--json', '--follow-ups', '--reader', VIRTUAL, SELECT_OPENPGP, GET_DATA_6E_LE5], env);
    expect(run.code, run.stderr).toBe(0);
    const printed = JSON.parse(run.stdout) as Printed[];
    const parts = printed.slice(1, -1);
    const whole = printed[printed.length - 1]!;
    expect(parts[0]!.sw).toMatch(/^61/);
    expect(parts.slice(1).every((p) => p.automatic === true && p.command.startsWith('00C00000'))).toBe(true);
    expect(whole.assembledFrom).toBe(parts.length);
    expect(whole.command).toBe(GET_DATA_6E_LE5);
    const data = parts.map((p) => p.response.slice(0, -4)).join('');
    expect(whole.response).toBe(`${data}${parts[parts.length - 1]!.sw}`);
    expect(whole.sw).toBe('9000');
    // Without --follow-ups there is nothing to join.
    const plain = await runCardbench(['send', '--json', '--reader', VIRTUAL, SELECT_OPENPGP, GET_DATA_6E_LE5], env);
    expect((JSON.parse(plain.stdout) as Printed[]).some((p) => p.assembledFrom !== undefined)).toBe(false);
  });

  it('send and run print it as one "=" line after the parts', async () => {
    const sent = await runCardbench(['send', '--follow-ups', '--reader', VIRTUAL, SELECT_OPENPGP, GET_DATA_6E_LE5], env);
    expect(sent.code, sent.stderr).toBe(0);
    const lines = sent.stdout.trimEnd().split('\n');
    expect(lines[lines.length - 1]).toMatch(/^= [0-9A-F]+ 9000 {2}Success \(whole answer of \d exchanges, [\d.]+ ms in all\)$/);
    const script = join(dir, 'get-data.script');
    writeFileSync(script, `${SELECT_OPENPGP} => 9000\n${GET_DATA_6E_LE5} => 9000\n`);
    const ran = await runCardbench(['run', '--follow-ups', '--reader', VIRTUAL, script], env);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(/\n= [0-9A-F]+ 9000 {2}Success \(whole answer of \d exchanges, [\d.]+ ms in all\)\n {2}ok: 9000/);
  });
});
