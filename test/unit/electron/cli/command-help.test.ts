/**
 * Every command explains every option it takes (`CMD --help` and `help CMD` alike), with
 * examples, and README's command table says what the commands' usage lines say.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { untilAborted } from '../../../../electron/cli/command.js';
import { COMMANDS } from '../../../../electron/cli/commands/index.js';
import { EXIT } from '../../../../electron/cli/exit-codes.js';
import { runCli } from '../../../../electron/cli/run-cli.js';
import { TRANSMIT_OPTIONS } from '../../../../electron/cli/transmit-options.js';
import { REPO_ROOT } from '../../../shared-path.js';

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const signal = new AbortController().signal;
  const code = await runCli(argv, {
    stdout: (line) => out.push(line),
    write: (text) => out.push(text),
    stderr: (line) => err.push(line),
    drain: () => Promise.resolve(),
    signal,
    untilInterrupted: untilAborted(signal),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** `--reader`, `--json`… in a usage line or an option's syntax. */
const optionNames = (text: string): string[] => [...text.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]);

describe('cardbench <command> --help', () => {
  for (const command of COMMANDS) {
    it(`${command.name}: usage, every option on its own line, examples, exit codes`, async () => {
      const { code, out } = await cli([command.name, '--help']);
      expect(code).toBe(EXIT.ok);
      expect(out).toContain(`Usage: cardbench ${command.name}`);
      expect(out).toContain(command.summary);
      const table = out.slice(out.indexOf('Options:'), out.indexOf('Examples:'));
      for (const option of new Set([...optionNames(command.usage ?? ''), '--no-virtual', '--help'])) {
        expect(table, `${command.name} --help explains ${option}`).toMatch(new RegExp(`^ {2}(?:-h, )?${option}\\b.* {2,}\\S`, 'm'));
      }
      for (const row of [...(command.help.arguments ?? []), ...command.help.options]) {
        expect(row.text.length, `${command.name} ${row.syntax} says what it does`).toBeGreaterThan(10);
      }
      expect(out).toMatch(new RegExp(`^Examples:\\n {2}cardbench ${command.name}\\b`, 'm'));
      expect(out).toMatch(/^Exit codes: 0 ok, 1 operation failed, 2 usage error, 3 not available here, 130 interrupted\.$/m);
      expect((await cli(['help', command.name])).out).toBe(out);
    });
  }

  it('send and run explain every option their parser accepts', async () => {
    for (const name of ['send', 'run']) {
      const { out } = await cli([name, '--help']);
      for (const option of Object.keys(TRANSMIT_OPTIONS))
        expect(out, `${name} --${option}`).toMatch(new RegExp(`^ {2}--${option}\\b`, 'm'));
    }
    expect((await cli(['send', '--help'])).out).toMatch(/^ {2}--file F +read the APDUs from file F \(- for standard input\)/m);
  });

  it('`help` alone is the overview; `help` of an unknown command is a usage error', async () => {
    expect((await cli(['help'])).out).toMatch(/^Commands:$/m);
    const unknown = await cli(['help', 'frobnicate']);
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.err).toContain("unknown command 'frobnicate'");
  });
});

describe("README's command table", () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('## Command line'), readme.indexOf('## Development'));
  const rows = [...table.matchAll(/^\| `([^`]+)` +\|/gm)].map((m) => m[1]!.replaceAll('\\|', '|'));

  it('lists every command with the usage line its --help prints, and nothing else', () => {
    expect(rows).toEqual(COMMANDS.map((command) => `${command.name}${command.usage ? ` ${command.usage}` : ''}`));
  });

  it('gives the exit codes the CLI uses', () => {
    expect(table).toMatch(
      /`0` ok, `1` the operation failed, `2` usage error, `3` not available here \(no PC\/SC, no USB…\),\s+`130` interrupted/,
    );
  });
});
