import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../../electron/cli/exit-codes.js';
import { parsePort } from '../../../../electron/cli/parse-options.js';
import { runCli } from '../../../../electron/cli/run-cli.js';
import { REPO_ROOT } from '../../../shared-path.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    context: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l), untilInterrupted: () => Promise.resolve() },
  };
}

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

  it('exits 3 for commands this version does not have yet, naming the command', async () => {
    const io = capture();
    expect(await runCli(['inspect', 'Some Reader'], io.context)).toBe(EXIT.unavailable);
    expect(io.err.join()).toContain('cardbench inspect');
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
