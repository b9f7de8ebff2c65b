/**
 * `cardbench decode` as users run it: the real command in a child process (exit codes, stdout),
 * and in-process for the usage errors.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../../electron/cli/exit-codes.js';
import { runCli } from '../../../../electron/cli/run-cli.js';
import { REPO_ROOT, requireShared, sharedPath } from '../../../shared-path.js';
import { largeResponsesCapture } from '../../core/capture/hostile-capture-files.js';

const skip = requireShared('captures');
const LABCARD = sharedPath('captures', 'usbmon-qemu-labcard', 'labcard-basic.usbmon.pcapng');
const GCC = sharedPath('captures', 'usbpcap-emv-gcc2024', 'usb.pcapng');

function cardbench(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** What the command wrote to stdout, as a reader of it gets it. */
async function runInProcess(args: string[]): Promise<string> {
  const { out, context } = io();
  expect(await runCli(args, context)).toBe(EXIT.ok);
  return out.join('');
}

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const context = {
    stdout: (l: string) => out.push(`${l}\n`),
    write: (text: string) => out.push(text),
    stderr: (l: string) => err.push(l),
    drain: () => Promise.resolve(),
    signal: new AbortController().signal,
    untilInterrupted: () => new Promise<void>(() => {}),
  };
  return { out, err, context };
}

describe('cardbench decode (child process)', { timeout: 30_000 }, () => {
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

describe('cardbench decode --ndjson (issue 12): one exchange per line, written as decoded', { timeout: 30_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cardbench-ndjson-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.skipIf(skip)('prints each exchange of the report as one JSON line, masked with --redact-pins as --json masks it', () => {
    for (const masked of [false, true]) {
      const flags = masked ? ['--redact-pins'] : [];
      const report = cardbench('decode', LABCARD, '--json', ...flags);
      const lines = cardbench('decode', LABCARD, '--ndjson', ...flags);
      expect(lines.stderr).toBe('');
      expect(lines.status).toBe(EXIT.ok);
      expect(lines.stdout.endsWith('}\n')).toBe(true);
      const exchanges = lines.stdout.trimEnd().split('\n');
      expect(exchanges).toHaveLength(33);
      expect(exchanges.map((line) => JSON.parse(line) as unknown)).toEqual(
        (JSON.parse(report.stdout) as { exchanges: unknown[] }).exchanges,
      );
      expect(lines.stdout.includes('0020008108' + '**'.repeat(8))).toBe(masked);
    }
  });

  it.skipIf(skip)('writes the exchanges of what it has read before the capture ends (a FIFO fed in two parts)', async () => {
    const whole = readFileSync(LABCARD);
    const fifo = join(dir, 'two-parts.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const run = spawnCardbench(['decode', fifo, '--ndjson']);
    const writer = createWriteStream(fifo);
    writer.write(whole.subarray(0, 16_384));
    // The first exchanges come out while the rest of the file has not been written yet.
    await run.printed('"index":1,');
    expect(run.child.exitCode).toBeNull();
    writer.end(whole.subarray(16_384));
    const result = await run.exited;
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(33);
  });

  it('arrives whole through a pipe read slowly', async () => {
    const file = join(dir, 'large-responses.pcap');
    writeFileSync(file, largeResponsesCapture({ exchanges: 120 }));
    const child = spawn(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', 'decode', file, '--ndjson'], { cwd: REPO_ROOT });
    let text = '';
    // A reader that stops after every piece and takes the next one a turn of the event loop later:
    // the pipe fills, the command waits for it, and no line is lost.
    child.stdout.on('data', (piece: Buffer) => {
      text += piece.toString();
      child.stdout.pause();
      setImmediate(() => child.stdout.resume());
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(EXIT.ok);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(120);
    expect(lines.map((line) => (JSON.parse(line) as { index: number }).index)).toEqual(lines.map((_, i) => i + 1));
  });
});

describe('cardbench decode usage errors (exit 2)', () => {
  it('needs exactly one file, one output format, and known options', async () => {
    for (const args of [[], ['a.pcap', 'b.pcap'], ['a.pcap', '--json', '--text'], ['a.pcap', '--json', '--ndjson'], ['a.pcap', '--hex']]) {
      const { context, err } = io();
      expect(await runCli(['decode', ...args], context)).toBe(EXIT.usage);
      expect(err.join('\n')).toMatch(/^cardbench: decode: /);
    }
  });
});

/** The real command as a child process, asynchronously (to signal it, or feed its stdin). */
function spawnCardbench(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  const printed = (text: string) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!stdout.includes(text)) return;
        child.stdout.off('data', check);
        resolve();
      };
      child.stdout.on('data', check);
      check();
    });
  return { child, exited, printed };
}

describe('cardbench decode: pipes, FIFOs and signals (issue 8, item 3)', { timeout: 30_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cardbench-decode-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a FIFO with no writer: the command waits without blocking, and SIGINT stops it itself with 130 within a second', async () => {
    const fifo = join(dir, 'no-writer.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const run = spawnCardbench(['decode', fifo]);
    // The transcript's header is printed once the FIFO is open and the decode waits for data.
    await run.printed(`Capture ${fifo}`);
    const signalled = performance.now();
    run.child.kill('SIGINT');
    const result = await run.exited;
    expect(result.code).toBe(EXIT.interrupted);
    expect(performance.now() - signalled).toBeLessThan(1000);
    // The command stopped by itself (not the shell's backstop, which says "stopped by SIGINT").
    expect(result.stderr).toBe(`cardbench: decode: stopped before the end of ${fifo}\n`);
  });

  it.skipIf(skip)('`cat file | cardbench decode - --json` gives the report of `decode file --json`', async () => {
    const fromFile = cardbench('decode', GCC, '--json');
    expect(fromFile.status).toBe(EXIT.ok);
    const run = spawnCardbench(['decode', '-', '--json']);
    createReadStream(GCC).pipe(run.child.stdin);
    const fromPipe = await run.exited;
    expect(fromPipe.code).toBe(EXIT.ok);
    const piped = JSON.parse(fromPipe.stdout) as { file: string; exchanges: unknown[] };
    expect(piped.file).toBe('-');
    expect(piped.exchanges).toHaveLength(208);
    expect({ ...piped, file: GCC }).toEqual(JSON.parse(fromFile.stdout));
  });

  it('decode - waiting on a stdin that sends nothing stops itself on SIGINT (130)', async () => {
    const run = spawnCardbench(['decode', '-']);
    await run.printed('Capture -');
    run.child.kill('SIGINT');
    const result = await run.exited;
    expect(result.code).toBe(EXIT.interrupted);
    expect(result.stderr).toBe('cardbench: decode: stopped before the end of -\n');
  });

  it('a character device is refused (exit 1) with a way to read it', () => {
    const run = cardbench('decode', '/dev/zero', '--json');
    expect(run.status).toBe(EXIT.failure);
    expect(run.stderr).toBe(
      'cardbench: decode: /dev/zero is a character device, not a capture file; to decode what it produces, pipe it in: cat /dev/zero | cardbench decode -\n',
    );
  });
});

describe.skipIf(skip)('cardbench decode of a capture that cannot be read to its end (issue 8, item 4)', { timeout: 30_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cardbench-stopped-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const whole = skip ? new Uint8Array(0) : new Uint8Array(readFileSync(LABCARD));
  const view = new DataView(whole.buffer, whole.byteOffset, whole.byteLength);
  const blocks: number[] = [];
  for (let at = 0; at < whole.length; at += view.getUint32(at + 4, true)) blocks.push(at);

  const spoiled = (name: string, make: (bytes: Uint8Array) => Uint8Array) => {
    const file = join(dir, name);
    writeFileSync(file, make(whole.slice()));
    return file;
  };
  const cases = [
    {
      name: 'truncated mid-block',
      file: () => spoiled('cut.pcapng', (b) => b.subarray(0, blocks[200]! + 30)),
      code: 'truncated',
      offset: () => blocks[200],
    },
    {
      name: 'a block length beyond the file',
      file: () =>
        spoiled('long-block.pcapng', (b) => {
          new DataView(b.buffer).setUint32(blocks[150]! + 4, 4_000_000, true);
          return b;
        }),
      code: 'truncated',
      offset: () => blocks[150],
    },
    {
      name: 'a bad section header',
      file: () =>
        spoiled('bad-shb.pcapng', (b) => {
          const second = b.slice();
          new DataView(second.buffer).setUint32(8, 0x12345678, true);
          return Buffer.concat([b, second]);
        }),
      code: 'bad-byte-order-magic',
      offset: () => whole.length,
    },
    {
      name: 'garbage after a valid section',
      file: () => spoiled('garbage.pcapng', (b) => Buffer.concat([b, Buffer.from('trailing garbage, not a block at all\n'.repeat(4))])),
      code: 'bad-block-length',
      offset: () => whole.length,
    },
  ];

  it.each(cases)('$name: exit 1, the JSON says complete: false and why, stderr says so', ({ file, code, offset }) => {
    const path = file();
    const run = cardbench('decode', path, '--json');
    expect(run.status).toBe(EXIT.failure);
    const report = JSON.parse(run.stdout) as { complete: boolean; stoppedBy: { code: string; fileOffset: number }; exchanges: unknown[] };
    expect(report.complete).toBe(false);
    expect(report.stoppedBy).toMatchObject({ code, fileOffset: offset() });
    expect(report.exchanges.length).toBeGreaterThan(0);
    expect(run.stderr).toMatch(
      new RegExp(
        `^cardbench: decode: ${path} could not be read to its end \\(.+ at byte ${offset()}\\); what was decoded before that is printed\\.\\n$`,
      ),
    );
  });

  it('the transcript ends with a line saying where and why it stopped', () => {
    const path = cases[0]!.file();
    const run = cardbench('decode', path);
    expect(run.status).toBe(EXIT.failure);
    expect(run.stdout).toContain('APDU exchanges (');
    expect(run.stdout.trimEnd().split('\n').at(-1)).toMatch(
      new RegExp(
        `^Import stopped at byte ${blocks[200]}: file ends inside a block \\(30 byte\\(s\\) of \\d+\\)\\. The file could not be read to its end; the above is what came before\\.$`,
      ),
    );
  });

  it('a complete capture says complete: true and exits 0', () => {
    const run = cardbench('decode', LABCARD, '--json');
    expect(run.status).toBe(EXIT.ok);
    expect(JSON.parse(run.stdout)).toMatchObject({ complete: true });
    expect(JSON.parse(run.stdout)).not.toHaveProperty('stoppedBy');
  });
});

describe('cardbench decode of a capture beyond the decoder heap (issue 8, item 8)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cardbench-heap-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--json: exits 1 with the reason, not a crash, when its report outgrows the limit; --ndjson streams the same capture', async () => {
    const file = join(dir, 'large-responses.pcap');
    writeFileSync(file, largeResponsesCapture());
    const run = spawnCardbench(['decode', file, '--json'], { CARDBENCH_DECODE_HEAP_MB: '32' });
    const result = await run.exited;
    expect(result).toMatchObject({ code: EXIT.failure, signal: null, stdout: '' });
    expect(result.stderr).toBe(
      `cardbench: decode: ${file}: its report is larger than the 32 MiB a decode may hold (CARDBENCH_DECODE_HEAP_MB); decode --ndjson writes the exchanges as they are decoded, or allow more with CARDBENCH_DECODE_HEAP_MB=64.\n`,
    );
    const streamed = await spawnCardbench(['decode', file, '--ndjson'], { CARDBENCH_DECODE_HEAP_MB: '32' }).exited;
    expect(streamed).toMatchObject({ code: EXIT.ok, signal: null, stderr: '' });
    const lines = streamed.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(400);
    expect(JSON.parse(lines[399]!)).toMatchObject({ index: 400, sw: '9000', truncated: false });
    if (skip) return;
    const real = cardbench('decode', GCC, '--json');
    expect(real.status).toBe(EXIT.ok);
  }, 60_000);
});
