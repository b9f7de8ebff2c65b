import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { untilAborted } from '../../../../electron/cli/command.js';
import { CliError, EXIT } from '../../../../electron/cli/exit-codes.js';
import { parsePort } from '../../../../electron/cli/parse-options.js';
import { runCli } from '../../../../electron/cli/run-cli.js';
import { REPO_ROOT } from '../../../shared-path.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const signal = new AbortController().signal;
  return {
    out,
    err,
    context: {
      stdout: (l: string) => out.push(l),
      write: (text: string) => out.push(text),
      stderr: (l: string) => err.push(l),
      drain: () => Promise.resolve(),
      signal,
      untilInterrupted: untilAborted(signal),
    },
  };
}

const help = { options: [], examples: ['cardbench readers'] };

describe('cardbench CLI', () => {
  it('prints help listing every subcommand, exit 0', async () => {
    const io = capture();
    expect(await runCli(['--help'], io.context)).toBe(EXIT.ok);
    for (const command of ['start', 'web', 'readers', 'inspect', 'send', 'run', 'decode', 'virtual-card', 'virtual-reader']) {
      expect(io.out.join('\n')).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
  });

  it('prints the package version', async () => {
    const io = capture();
    expect(await runCli(['--version'], io.context)).toBe(EXIT.ok);
    expect(io.out).toEqual([process.env.npm_package_version ?? expect.stringMatching(/^\d+\.\d+\.\d+/)]);
  });

  it('exits 2 with a hint on an unknown command or option', async () => {
    const io = capture();
    expect(await runCli(['frobnicate'], io.context)).toBe(EXIT.usage);
    expect(io.err.join()).toContain('cardbench --help');
    expect(await runCli(['web', '--colour'], io.context)).toBe(EXIT.usage);
    expect(await runCli([], io.context)).toBe(EXIT.usage);
  });

  it('exits 3 with the reason when no reader backend is available', async () => {
    const io = capture();
    const noReaders = [
      { name: 'readers', summary: 'x', help, run: () => Promise.reject(new CliError('PC/SC service not running', EXIT.unavailable)) },
    ];
    expect(await runCli(['readers'], io.context, noReaders)).toBe(EXIT.unavailable);
    expect(io.err.join()).toContain('PC/SC service not running');
  });

  it('takes --no-virtual anywhere on the line and passes it on in the environment', async () => {
    const io = capture();
    const seen: string[][] = [];
    const echo = [
      {
        name: 'readers',
        summary: 'x',
        help,
        run: (_c: unknown, args: readonly string[]) => (seen.push([...args]), Promise.resolve(EXIT.ok)),
      },
    ];
    const before = process.env.CARDBENCH_NO_VIRTUAL;
    try {
      expect(await runCli(['readers', '--no-virtual', '--json'], io.context, echo)).toBe(EXIT.ok);
      expect(seen).toEqual([['--json']]);
      expect(process.env.CARDBENCH_NO_VIRTUAL).toBe('1');
    } finally {
      if (before === undefined) delete process.env.CARDBENCH_NO_VIRTUAL;
      else process.env.CARDBENCH_NO_VIRTUAL = before;
    }
  });

  it('refuses non-loopback hosts for browser mode', async () => {
    const io = capture();
    expect(await runCli(['web', '--host', '0.0.0.0', '--no-open'], io.context)).toBe(EXIT.usage);
    expect(io.err.join()).toContain('loopback');
  });

  it('validates --port', () => {
    expect(parsePort(undefined)).toBe(0);
    expect(parsePort('8080')).toBe(8080);
    for (const bad of ['-1', '65536', 'abc', '80a', '']) expect(() => parsePort(bad), bad).toThrow(/--port/);
  });

  it('runs as a real process with the same exit codes (npm run cardbench path)', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', 'send', '00A4'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(result.status).toBe(EXIT.usage);
    expect(result.stderr).toContain('an APDU needs at least CLA INS P1 P2');
  });
});
