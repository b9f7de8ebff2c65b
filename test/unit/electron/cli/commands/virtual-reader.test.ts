import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError } from '../../../../../electron/cli/exit-codes.js';
import { describeActivity, parseVirtualReaderOptions } from '../../../../../electron/cli/commands/virtual-reader.js';
import { runCli } from '../../../../../electron/cli/run-cli.js';

function usageError(args: string[]): CliError {
  try {
    parseVirtualReaderOptions(args);
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error('expected a usage error');
}

describe('cardbench virtual-reader options', () => {
  it('needs --gempc-serial, whose value is optional, and defaults to a T=1 card', () => {
    expect(usageError([]).exitCode).toBe(2);
    expect(parseVirtualReaderOptions(['--gempc-serial', '/tmp/p'])).toEqual({ pty: '/tmp/p', card: 't1' });
    expect(parseVirtualReaderOptions(['--gempc-serial', 'pad2'])).toEqual({ pty: 'pad2', card: 't1' });
    expect(parseVirtualReaderOptions(['--gempc-serial'])).toEqual({ pty: '', card: 't1' });
    expect(parseVirtualReaderOptions(['--gempc-serial', '--card', 't0'])).toEqual({ pty: '', card: 't0' });
    expect(parseVirtualReaderOptions(['--gempc-serial', '/tmp/p', '--card', 'none', '--pin', '1234'])).toMatchObject({
      card: 'none',
      pin: '1234',
    });
  });

  it('refuses a bad --card and a non-digit --pin without repeating the PIN', () => {
    expect(usageError(['--gempc-serial', '/tmp/p', '--card', 't2']).message).toContain('t0, t1 or none');
    const error = usageError(['--gempc-serial', '/tmp/p', '--pin', '12ab34']);
    expect(error.exitCode).toBe(2);
    expect(error.message).not.toContain('12ab34');
  });

  it('is registered: --help shows the usage', async () => {
    const out: string[] = [];
    const code = await runCli(['virtual-reader', '--help'], {
      stdout: (l) => out.push(l),
      write: () => undefined,
      stderr: () => undefined,
      drain: () => Promise.resolve(),
      signal: new AbortController().signal,
      untilInterrupted: () => new Promise(() => undefined),
    });
    expect(code).toBe(0);
    expect(out.join('\n')).toContain('--gempc-serial [NAME|PATH]');
  });

  it('reports a keypad script with errors by line number (exit 2) before opening anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cardbench-keypad-'));
    writeFileSync(join(dir, 'k.txt'), '123456\nnope\n');
    const err: string[] = [];
    const code = await runCli(['virtual-reader', '--gempc-serial', join(dir, 'pty'), '--keypad-script', join(dir, 'k.txt')], {
      stdout: () => undefined,
      write: () => undefined,
      stderr: (l) => err.push(l),
      drain: () => Promise.resolve(),
      signal: AbortSignal.abort(),
      untilInterrupted: () => Promise.resolve(),
    });
    expect(code).toBe(2);
    expect(err.join('\n')).toContain('line 2');
  });

  it('describes reader activity without APDU data', () => {
    expect(describeActivity({ type: 'apdu', cla: 0, ins: 0x20, sw: 0x63c2, via: 'secure' })).toBe(
      'APDU CLA 00 INS 20 → SW 63C2 (PIN from the keypad)',
    );
    expect(describeActivity({ type: 'pin-entry', operation: 'verify', outcome: 'cancelled' })).toBe('PIN verify: cancelled');
  });
});
