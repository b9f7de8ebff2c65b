/**
 * `cardbench decode` as users run it: the real command in a child process (exit codes, stdout),
 * and in-process for the usage errors.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../../electron/cli/exit-codes.js';
import { runCli } from '../../../../electron/cli/run-cli.js';
import { REPO_ROOT, requireShared, sharedPath } from '../../../shared-path.js';

const skip = requireShared('captures');
const LABCARD = sharedPath('captures', 'usbmon-qemu-labcard', 'labcard-basic.usbmon.pcapng');

function cardbench(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
}

async function runInProcess(args: string[]): Promise<string> {
  const { out, context } = io();
  expect(await runCli(args, context)).toBe(EXIT.ok);
  return out.join('\n');
}

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const context = {
    stdout: (l: string) => out.push(l),
    stderr: (l: string) => err.push(l),
    signal: new AbortController().signal,
    untilInterrupted: () => new Promise<void>(() => {}),
  };
  return { out, err, context };
}

describe('cardbench decode (child process)', () => {
  it.skipIf(skip)('--redact-pins masks VERIFY data in JSON and text, and keeps every exchange', async () => {
    const plain = await runInProcess(['decode', LABCARD, '--json']);
    const masked = await runInProcess(['decode', LABCARD, '--json', '--redact-pins']);
    const verifies = (json: string) =>
      (JSON.parse(json) as { exchanges: { command: string }[] }).exchanges.map((e) => e.command).filter((c) => c.startsWith('0020'));
    expect(verifies(plain).some((c) => /^0020008108[0-9A-F]{16}$/.test(c))).toBe(true);
    expect(verifies(masked).filter((c) => c.length > 8)).toEqual(
      verifies(masked)
        .filter((c) => c.length > 8)
        .map(() => '0020008108' + '**'.repeat(8)),
    );
    expect((JSON.parse(masked) as { exchanges: unknown[] }).exchanges).toHaveLength(33);
    const text = await runInProcess(['decode', LABCARD, '--redact-pins']);
    expect(text).toContain('C: 0020008108****************');
    expect(text).not.toMatch(/C: 0020008108[0-9A-F]{16}/);
  });

  it.skipIf(skip)('--json prints the report: 33 exchanges, exit 0', () => {
    const run = cardbench('decode', LABCARD, '--json');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(EXIT.ok);
    const report = JSON.parse(run.stdout) as Record<string, unknown> & { exchanges: { command: string; response: string }[] };
    expect(report).toMatchObject({ file: LABCARD, format: 'pcapng', linkTypes: [220], problems: [] });
    expect(report.exchanges).toHaveLength(33);
    expect(report.exchanges[0]).toMatchObject({ command: '00A4040009F04C4142434152440100', response: '611E', sw: '611E' });
    expect(Object.keys(report)).toEqual(
      expect.arrayContaining(['packets', 'devices', 'ccid', 'atrs', 'events', 'pinOperations', 'transactions']),
    );
  });

  it.skipIf(skip)('prints a text transcript by default: messages, then exchanges with INS names and SW meanings', () => {
    const run = cardbench('decode', LABCARD);
    expect(run.status).toBe(EXIT.ok);
    expect(run.stdout).toMatch(/->\s+PC_to_RDR_XfrBlock slot 0 seq \d+/);
    expect(run.stdout).toContain('APDU exchanges (33):');
    expect(run.stdout).toMatch(/SELECT\n\s+C: 00A4040009F04C4142434152440100\n\s+R: 611E {2}\(611E: 30 more byte/);
    expect(run.stdout).toMatch(/VERIFY[\s\S]*?R: 63C2 {2}\(63C2: Wrong PIN: 2 tries left\)/);
  });

  it('exits 1 with a clear message when the file is not a capture or missing', () => {
    const notCapture = cardbench('decode', 'package.json', '--json');
    expect(notCapture.status).toBe(EXIT.failure);
    expect(notCapture.stderr).toMatch(/not a pcap\/pcapng file/);
    expect(notCapture.stderr).not.toMatch(/7B 0A/);
    expect(notCapture.stdout).toBe('');
    const missing = cardbench('decode', 'no/such/file.pcapng');
    expect(missing.status).toBe(EXIT.failure);
    expect(missing.stderr).toContain('no such file: no/such/file.pcapng');
  });
});

describe('cardbench decode usage errors (exit 2)', () => {
  it('needs exactly one file, one output format, and known options', async () => {
    for (const args of [[], ['a.pcap', 'b.pcap'], ['a.pcap', '--json', '--text'], ['a.pcap', '--hex']]) {
      const { context, err } = io();
      expect(await runCli(['decode', ...args], context)).toBe(EXIT.usage);
      expect(err.join('\n')).toMatch(/^cardbench: decode: /);
    }
  });
});
