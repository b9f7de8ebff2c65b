/**
 * APDU scripts: the format of pcsc-tools' scriptor, plus expected status words.
 *
 *   # a comment line
 *   reset                                   reconnect with a card reset
 *   00 A4 04 00 06 D2 76 00 01 24 01        an APDU in hex (spaces optional, any case)
 *   00A4040006D27600012401 # expect 9000    an APDU whose status word must be 9000
 *   00CA006E00 => 9000                      the same assertion, short form
 *   00B0000000 => 61XX                      X is a wildcard hex digit
 *   00B0000000 => 9000|6282                 several accepted status words
 *   exit                                    stop here (scriptor's keyword)
 *
 * A plain `# text` after an APDU stays a comment; only `# expect SW` is an assertion, so scripts
 * written for scriptor run unchanged.
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

export function parseScript(text: string): ParsedScript {
  const steps: ScriptStep[] = [];
  const problems: ScriptProblem[] = [];
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = index + 1;
    const raw = lines[index]!.trim();
    if (raw === '' || raw.startsWith('#')) continue;
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
    steps.push({ kind: 'apdu', line, apdu: parsed.bytes, expect, comment });
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
    const match = /^expect\s+(.*)$/i.exec(comment);
    if (match) {
      expectText = match[1]!.trim();
      comment = undefined;
    }
  }
  if (expectText === undefined) return comment === undefined ? { body } : { body, comment };
  const patterns = expectText
    .split(/[|,\s]+/)
    .filter(Boolean)
    .map((p) => p.toUpperCase());
  const bad = patterns.find((p) => !SW_PATTERN.test(p));
  if (patterns.length === 0 || bad !== undefined) {
    return {
      body,
      problem: `expected status word '${bad ?? expectText}' is not 4 hex digits (X for any digit), e.g. => 9000 or => 61XX`,
    };
  }
  return comment === undefined ? { body, expect: patterns } : { body, expect: patterns, comment };
}

/** Whether a status word ('9000') matches one of the patterns ('61XX'). */
export function statusWordMatches(sw: string, patterns: readonly SwPattern[]): boolean {
  const upper = sw.toUpperCase();
  return patterns.some((pattern) => pattern.length === upper.length && [...pattern].every((c, i) => c === 'X' || c === upper[i]));
}
