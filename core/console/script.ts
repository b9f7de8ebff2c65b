/**
 * APDU scripts: the format of pcsc-tools' scriptor, plus expected status words. One module reads
 * and writes it, so what Cardbench writes (a capture's script export) replays as a test.
 *
 *   # a comment line
 *   reset                                   reconnect with a card reset
 *   00 A4 04 00 06 D2 76 00 01 24 01        an APDU in hex (spaces optional, any case)
 *   # expect 9000 (Success)                 on the line after an APDU: its status word must be 9000
 *   00A4040006D27600012401 # expect 9000    the same assertion on the APDU's line
 *   00CA006E00 => 9000                      the same assertion, short form
 *   00B0000000 => 61XX                      X is a wildcard hex digit
 *   00B0000000 => 9000|6282                 several accepted status words
 *   exit                                    stop here (scriptor's keyword)
 *
 * A plain `# text` stays a comment; only `# expect SW` is an assertion (`# expected SW 9000`, as
 * older exports wrote it, too), with an optional note in parentheses. What writeScript produces
 * is also a valid scriptor script: scriptor skips every line starting with '#', and the
 * assertion lines are such comments.
 */
import { MAX_EXTENDED_APDU_LENGTH } from '../iso7816/apdu-limits.js';
import { parseHex } from '../bytes/hex.js';

/** One accepted status word: four characters, hex digits or X. */
export type SwPattern = string;

export type ScriptStep =
  | { kind: 'apdu'; line: number; apdu: Uint8Array; expect: SwPattern[] | undefined; comment: string | undefined }
  | { kind: 'reset'; line: number };

export interface ScriptProblem {
  line: number;
  message: string;
}

export interface ParsedScript {
  steps: ScriptStep[];
  problems: ScriptProblem[];
}

/** Scripts are typed or loaded by people; a cap keeps a wrong file from eating memory. */
export const MAX_SCRIPT_STEPS = 10_000;

const SW_PATTERN = /^[0-9A-Fa-fXx]{4}$/;
/** `# expect 9000`, `# expected SW 9000 (Success)`, `# => 9000`: what follows the keyword. */
const ASSERTION_COMMENT = /^#\s*(?:expected\s+sw|expect|=>)\s+(.*)$/i;

export function parseScript(text: string): ParsedScript {
  const steps: ScriptStep[] = [];
  const problems: ScriptProblem[] = [];
  const lines = text.split(/\r?\n/);
  /** The APDU step on the last line that was not blank: the one an assertion line speaks of. */
  let previous: Extract<ScriptStep, { kind: 'apdu' }> | undefined;
  for (let index = 0; index < lines.length; index++) {
    const line = index + 1;
    const raw = lines[index]!.trim();
    if (raw === '') continue;
    if (raw.startsWith('#')) {
      const assertion = ASSERTION_COMMENT.exec(raw);
      const target = previous;
      previous = undefined;
      if (!assertion || !target) continue;
      const read = readExpectation(assertion[1]!);
      // Prose that happens to start with "expect" stays a comment; something meant as a status word does not.
      if (read.patterns === undefined) {
        if (read.looksMeant) problems.push({ line, message: read.problem });
        continue;
      }
      if (target.expect !== undefined) {
        problems.push({ line, message: `the APDU of line ${target.line} already has an expected status word` });
        continue;
      }
      target.expect = read.patterns;
      continue;
    }
    previous = undefined;
    const lower = raw.toLowerCase();
    if (lower === 'exit' || lower === 'quit') break;
    if (lower === 'reset') {
      steps.push({ kind: 'reset', line });
      continue;
    }
    const { body, expect, comment, problem } = splitAssertion(raw);
    if (problem) {
      problems.push({ line, message: problem });
      continue;
    }
    const parsed = parseHex(body, MAX_EXTENDED_APDU_LENGTH);
    if (!parsed.ok) {
      problems.push({ line, message: `not an APDU in hex: ${parsed.reason} (column ${parsed.position + 1})` });
      continue;
    }
    if (parsed.bytes.length < 4) {
      problems.push({ line, message: `${parsed.bytes.length} byte(s): an APDU needs at least CLA INS P1 P2` });
      continue;
    }
    if (steps.length >= MAX_SCRIPT_STEPS) {
      problems.push({ line, message: `more than ${MAX_SCRIPT_STEPS} steps: split the script` });
      break;
    }
    const step: Extract<ScriptStep, { kind: 'apdu' }> = { kind: 'apdu', line, apdu: parsed.bytes, expect, comment };
    steps.push(step);
    previous = step;
  }
  return { steps, problems };
}

function splitAssertion(raw: string): { body: string; expect?: SwPattern[]; comment?: string; problem?: string } {
  let body = raw;
  let comment: string | undefined;
  const hash = body.indexOf('#');
  if (hash >= 0) {
    comment = body.slice(hash + 1).trim();
    body = body.slice(0, hash).trim();
  }
  let expectText: string | undefined;
  const arrow = body.indexOf('=>');
  if (arrow >= 0) {
    expectText = body.slice(arrow + 2).trim();
    body = body.slice(0, arrow).trim();
  } else if (comment !== undefined) {
    const match = ASSERTION_COMMENT.exec(`# ${comment}`);
    if (match) {
      expectText = match[1]!.trim();
      comment = undefined;
    }
  }
  if (expectText === undefined) return comment === undefined ? { body } : { body, comment };
  const read = readExpectation(expectText);
  if (read.patterns === undefined) return { body, problem: read.problem };
  return comment === undefined ? { body, expect: read.patterns } : { body, expect: read.patterns, comment };
}

/** '9000', '9000|6282 (note)', '61XX, 9000': the accepted status words, a note in parentheses ignored. */
function readExpectation(
  text: string,
): { patterns: SwPattern[]; problem?: undefined } | { patterns: undefined; problem: string; looksMeant: boolean } {
  const withoutNote = text.replace(/\s*\(.*\)\s*$/, '').trim();
  const patterns = withoutNote
    .split(/[|,\s]+/)
    .filter(Boolean)
    .map((p) => p.toUpperCase());
  const bad = patterns.find((p) => !SW_PATTERN.test(p));
  if (patterns.length > 0 && bad === undefined) return { patterns };
  return {
    patterns: undefined,
    problem: `expected status word '${bad ?? text}' is not 4 hex digits (X for any digit), e.g. => 9000 or => 61XX`,
    looksMeant: /^[0-9A-Fa-fXx]+$/.test(patterns[0] ?? ''),
  };
}

/** Whether a status word ('9000') matches one of the patterns ('61XX'). */
export function statusWordMatches(sw: string, patterns: readonly SwPattern[]): boolean {
  const upper = sw.toUpperCase();
  return patterns.some((pattern) => pattern.length === upper.length && [...pattern].every((c, i) => c === 'X' || c === upper[i]));
}

/** What writeScript writes, in order. */
export type ScriptEntry =
  | { kind: 'comment'; text: string }
  | { kind: 'reset' }
  | {
      kind: 'apdu';
      /** Hex; '*' digits are masked secret bytes: such an APDU is written commented out, with how to replay it. */
      apdu: string;
      /** The status word the card gave (4 hex digits); undefined when none was captured. */
      sw: string | undefined;
      /** What that status word means, written beside it for people (describeAnswerStatus). */
      meaning?: string | undefined;
    };

/**
 * A script both Cardbench's Script panel and scriptor run: the APDU on its own line, its status
 * word on the next as `# expect SW (meaning)`. A masked command is commented out (scriptor and
 * the Script panel skip it) and so is its expectation, which no other APDU takes over.
 */
export function writeScript(entries: readonly ScriptEntry[]): string {
  const lines: string[] = [];
  for (const entry of entries) {
    if (entry.kind === 'comment') lines.push(commentLine(entry.text));
    else if (entry.kind === 'reset') lines.push('reset');
    else {
      const apdu = entry.apdu.replace(/\s+/g, '').toUpperCase();
      const spaced = apdu.replace(/(..)(?=.)/g, '$1 ');
      if (apdu.includes('*')) {
        lines.push(commentLine('PIN redacted: put the PIN in place of the ** and remove the "# " before the APDU to replay it'));
        lines.push(`# ${spaced}`);
      } else {
        lines.push(spaced);
      }
      if (entry.sw === undefined) lines.push(commentLine('no status word was captured'));
      else lines.push(commentLine(`expect ${entry.sw.toUpperCase()}${entry.meaning ? ` (${entry.meaning})` : ''}`));
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A comment on one line whatever the text holds (a file name with a line break must not add an
 * APDU), and without the word that stops scriptor wherever it appears on a line, comments too.
 */
function commentLine(text: string): string {
  return `# ${text.replace(/[\r\n]+/g, ' ').replace(/exit/gi, (word) => `${word.slice(0, 2)}-${word.slice(2)}`)}`;
}
