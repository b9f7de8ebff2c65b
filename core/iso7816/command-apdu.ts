/**
 * Command APDUs, short and extended (ISO 7816-3 §12.1.3 decision rules, ISO 7816-4 §5.1).
 *
 * The body after the 4-byte header is classified by its length L and first byte B1:
 *   L = 0                         case 1
 *   L = 1                         case 2S  (Le = B1, 00 means 256)
 *   B1 ≠ 0, L = 1 + B1            case 3S
 *   B1 ≠ 0, L = 2 + B1            case 4S
 *   B1 = 0, L = 3                 case 2E  (Le = B2B3, 0000 means 65536)
 *   B1 = 0, B2B3 ≠ 0, L = 3 + n   case 3E
 *   B1 = 0, B2B3 ≠ 0, L = 5 + n   case 4E
 * Anything else is malformed; the parser still picks the nearest reading and says what is off.
 */
import { MAX_EXTENDED_NE, MAX_SHORT_NE } from './apdu-limits.js';
import { byteHex, toHex } from '../bytes/hex.js';
import { field, problem, type DissectNode, type Problem } from '../dissect/node.js';
import type { ApplicationKind } from '../apps/application-kind.js';
import { identifyAid } from '../apps/known-aids.js';
import { tagName } from '../apps/tag-names.js';
import { berTlvNodes, looksLikeBerTlv, parseBerTlv, summarizeValue } from '../tlv/ber-tlv.js';
import { claNode } from './cla.js';
import { INS, insName, isInvalidIns } from './ins.js';
import { describeParameters } from './parameters.js';

export type ApduCase = '1' | '2S' | '3S' | '4S' | '2E' | '3E' | '4E';

/** The header and the case-rule reading of a command, without names or a decode tree. */
export interface CommandFields {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  /** Undefined when the APDU is shorter than its 4-byte header. */
  apduCase: ApduCase | undefined;
  extended: boolean;
  /** The command data present (a view; shorter than lc when the APDU is truncated). */
  data: Uint8Array;
  /** Ne: 1..256 short, 1..65536 extended (Le 00 / 0000 decoded); undefined when Le is absent. */
  le: number | undefined;
}

/** A parsed command: the fields, plus what the decode tree and the problems need. */
export interface CommandApdu extends CommandFields {
  /** Nc as encoded in Lc (undefined when there is no Lc field). */
  lc: number | undefined;
  /** Bytes after the last recognised field. */
  trailing: Uint8Array;
  /** INS name given the CLA and context, if known. */
  name: string | undefined;
  node: DissectNode;
  problems: Problem[];
}

export interface CommandApduOptions {
  /** Absolute offset of bytes[0] in the packet. */
  base?: number;
  /** The selected application, to name proprietary instructions and data objects. */
  context?: ApplicationKind;
}

/** INS whose command data is BER-TLV, so a tree is worth showing. */
const TLV_COMMAND_INS: ReadonlySet<number> = new Set([0xca, 0xcb, 0xdb, 0xa8, 0x87, 0x47, 0x22, 0xf2, 0xe4, 0xa5]);

interface Layout {
  apduCase: ApduCase;
  extended: boolean;
  /** Offsets relative to the body (after the header). */
  lcAt?: number;
  lcSize?: number;
  lc?: number;
  dataAt: number;
  dataLength: number;
  leAt?: number;
  leSize?: number;
  trailingAt: number;
  issue?: Problem;
  issueOn?: 'lc' | 'trailing';
}

function layoutOf(body: Uint8Array): Layout {
  const length = body.length;
  if (length === 0) return { apduCase: '1', extended: false, dataAt: 0, dataLength: 0, trailingAt: 0 };
  const b1 = body[0]!;
  if (length === 1) return { apduCase: '2S', extended: false, dataAt: 1, dataLength: 0, leAt: 0, leSize: 1, trailingAt: 1 };
  if (b1 !== 0) {
    const lc = b1;
    const short: Layout = { apduCase: '3S', extended: false, lcAt: 0, lcSize: 1, lc, dataAt: 1, dataLength: lc, trailingAt: 1 + lc };
    if (length === 1 + lc) return short;
    if (length === 2 + lc) return { ...short, apduCase: '4S', leAt: 1 + lc, leSize: 1, trailingAt: 2 + lc };
    if (length < 1 + lc) {
      return {
        ...short,
        dataLength: length - 1,
        trailingAt: length,
        issue: problem('lc-beyond-data', `Lc says ${lc} byte(s) of data but only ${length - 1} follow`),
        issueOn: 'lc',
      };
    }
    return {
      ...short,
      apduCase: '4S',
      leAt: 1 + lc,
      leSize: 1,
      trailingAt: 2 + lc,
      issue: problem('trailing-bytes', `${length - 2 - lc} byte(s) after Le`),
      issueOn: 'trailing',
    };
  }
  // B1 = 00 with more bytes: extended length fields.
  if (length === 2) {
    return {
      apduCase: '2S',
      extended: false,
      dataAt: 1,
      dataLength: 0,
      leAt: 0,
      leSize: 1,
      trailingAt: 1,
      issue: problem('malformed-length', 'body 00 xx is neither short (Lc = 00 is not allowed) nor extended (needs 3 bytes)'),
      issueOn: 'trailing',
    };
  }
  const n = (body[1]! << 8) | body[2]!;
  if (length === 3) return { apduCase: '2E', extended: true, dataAt: 3, dataLength: 0, leAt: 0, leSize: 3, trailingAt: 3 };
  if (n === 0) {
    return {
      apduCase: '2E',
      extended: true,
      dataAt: 3,
      dataLength: 0,
      leAt: 0,
      leSize: 3,
      trailingAt: 3,
      issue: problem('malformed-length', 'extended Lc of 0000 is not allowed: read as extended Le with extra bytes'),
      issueOn: 'trailing',
    };
  }
  const extended: Layout = { apduCase: '3E', extended: true, lcAt: 0, lcSize: 3, lc: n, dataAt: 3, dataLength: n, trailingAt: 3 + n };
  if (length === 3 + n) return extended;
  if (length === 5 + n) return { ...extended, apduCase: '4E', leAt: 3 + n, leSize: 2, trailingAt: 5 + n };
  if (length < 3 + n) {
    return {
      ...extended,
      dataLength: length - 3,
      trailingAt: length,
      issue: problem('lc-beyond-data', `extended Lc says ${n} byte(s) of data but only ${length - 3} follow`),
      issueOn: 'lc',
    };
  }
  if (length === 4 + n) {
    return {
      ...extended,
      issue: problem('trailing-bytes', '1 byte after the data: an extended Le takes 2 bytes'),
      issueOn: 'trailing',
    };
  }
  return {
    ...extended,
    apduCase: '4E',
    leAt: 3 + n,
    leSize: 2,
    trailingAt: 5 + n,
    issue: problem('trailing-bytes', `${length - 5 - n} byte(s) after Le`),
    issueOn: 'trailing',
  };
}

function readLe(body: Uint8Array, at: number, size: number): number {
  if (size === 1) return body[at] || MAX_SHORT_NE;
  // 2E carries 00 before the two Le bytes; 4E has just the two bytes.
  const hi = body[at + size - 2]!;
  const lo = body[at + size - 1]!;
  return (hi << 8) | lo || MAX_EXTENDED_NE;
}

/**
 * The fields only, by the same ISO 7816-3 case rules as parseCommandApdu. For hot paths that
 * look at many commands (folding a capture's exchanges): no nodes, names or problem objects.
 */
export function commandFields(bytes: Uint8Array): CommandFields {
  if (bytes.length < 4) {
    return {
      cla: bytes[0] ?? 0,
      ins: bytes[1] ?? 0,
      p1: bytes[2] ?? 0,
      p2: bytes[3] ?? 0,
      apduCase: undefined,
      extended: false,
      data: bytes.subarray(0, 0),
      le: undefined,
    };
  }
  const body = bytes.subarray(4);
  const layout = layoutOf(body);
  return {
    cla: bytes[0]!,
    ins: bytes[1]!,
    p1: bytes[2]!,
    p2: bytes[3]!,
    apduCase: layout.apduCase,
    extended: layout.extended,
    data: body.subarray(layout.dataAt, layout.dataAt + layout.dataLength),
    le: layout.leAt !== undefined ? readLe(body, layout.leAt, layout.leSize!) : undefined,
  };
}

export function parseCommandApdu(bytes: Uint8Array, options: CommandApduOptions = {}): CommandApdu {
  const base = options.base ?? 0;
  const context = options.context;
  const problems: Problem[] = [];
  if (bytes.length < 4) {
    const p = problem('too-short', `a command APDU needs at least 4 bytes (CLA INS P1 P2), got ${bytes.length}`);
    problems.push(p);
    const children: DissectNode[] = [];
    const ids = ['iso7816.cla', 'iso7816.ins', 'iso7816.p1', 'iso7816.p2'];
    const names = ['CLA', 'INS', 'P1', 'P2'];
    for (let i = 0; i < bytes.length; i++) {
      children.push(field(ids[i]!, `${names[i]!}: ${byteHex(bytes[i]!)}`, base + i, 1, bytes[i]!));
    }
    const node = field('iso7816.command', 'Command APDU (truncated header)', base, bytes.length, undefined, children);
    node.problem = p;
    return {
      cla: bytes[0] ?? 0,
      ins: bytes[1] ?? 0,
      p1: bytes[2] ?? 0,
      p2: bytes[3] ?? 0,
      apduCase: undefined,
      extended: false,
      lc: undefined,
      data: bytes.subarray(bytes.length),
      le: undefined,
      trailing: bytes.subarray(bytes.length),
      name: undefined,
      node,
      problems,
    };
  }

  const cla = bytes[0]!;
  const ins = bytes[1]!;
  const p1 = bytes[2]!;
  const p2 = bytes[3]!;
  const body = bytes.subarray(4);
  const layout = layoutOf(body);
  const bodyBase = base + 4;
  const data = body.subarray(layout.dataAt, layout.dataAt + layout.dataLength);
  const le = layout.leAt !== undefined ? readLe(body, layout.leAt, layout.leSize!) : undefined;
  const trailing = body.subarray(layout.trailingAt);
  const name = insName(cla, ins, context);
  const parameters = describeParameters(cla, ins, p1, p2, context);

  const children: DissectNode[] = [claNode(cla, base)];
  const insNode = field('iso7816.ins', `INS: ${byteHex(ins)}${name ? ` (${name})` : ''}`, base + 1, 1, ins);
  if (isInvalidIns(ins)) {
    insNode.problem = problem('invalid-ins', `INS ${byteHex(ins)} is invalid: T=0 reads 6X/9X as procedure bytes`, 'warning');
    problems.push(insNode.problem);
  }
  if (cla === 0xff) {
    problems.push(problem('invalid-cla', 'CLA FF is invalid for cards (PC/SC uses it for reader pseudo-APDUs)', 'warning'));
  }
  children.push(
    insNode,
    field('iso7816.p1', `P1: ${byteHex(p1)}${parameters.p1 ? ` (${parameters.p1})` : ''}`, base + 2, 1, p1),
    field('iso7816.p2', `P2: ${byteHex(p2)}${parameters.p2 ? ` (${parameters.p2})` : ''}`, base + 3, 1, p2),
  );
  if (layout.lcAt !== undefined) {
    const lcNode = field(
      'iso7816.lc',
      `Lc: ${toHex(body.subarray(layout.lcAt, layout.lcAt + layout.lcSize!), ' ')} (${layout.lc} byte(s) of data${layout.extended ? ', extended' : ''})`,
      bodyBase + layout.lcAt,
      layout.lcSize!,
      layout.lc,
    );
    if (layout.issueOn === 'lc' && layout.issue) lcNode.problem = layout.issue;
    children.push(lcNode);
  }
  if (data.length > 0) children.push(dataNode(data, bodyBase + layout.dataAt, ins, p1, context));
  if (layout.leAt !== undefined) {
    const raw = body.subarray(layout.leAt, layout.leAt + layout.leSize!);
    children.push(field('iso7816.le', `Le: ${toHex(raw, ' ')} (${le} byte(s) expected)`, bodyBase + layout.leAt, layout.leSize!, le));
  }
  if (layout.issue) {
    problems.push(layout.issue);
    if (trailing.length > 0) {
      const trailingNode = field(
        'iso7816.trailing',
        `Trailing bytes: ${toHex(trailing, ' ')}`,
        bodyBase + layout.trailingAt,
        trailing.length,
        toHex(trailing),
      );
      if (layout.issueOn === 'trailing') trailingNode.problem = layout.issue;
      children.push(trailingNode);
    }
  }
  const summary = parameters.summary ? ` — ${parameters.summary}` : '';
  const node = field(
    'iso7816.command',
    `Command APDU: ${name ?? `INS ${byteHex(ins)}`} (case ${layout.apduCase})${summary}`,
    base,
    bytes.length,
    undefined,
    children,
  );
  if (problems.length > 0) node.problem = problems.find((p) => p.severity === 'error') ?? problems[0]!;
  return {
    cla,
    ins,
    p1,
    p2,
    apduCase: layout.apduCase,
    extended: layout.extended,
    lc: layout.lc,
    data,
    le,
    trailing,
    name,
    node,
    problems,
  };
}

function dataNode(data: Uint8Array, offset: number, ins: number, p1: number, context: ApplicationKind | undefined): DissectNode {
  if (ins === INS.SELECT && p1 === 0x04) {
    const known = identifyAid(data);
    const label = `Data (DF name): ${summarizeValue(data)}${known ? ` — ${known.name}` : ''}`;
    return field('iso7816.data', label, offset, data.length, toHex(data));
  }
  if (TLV_COMMAND_INS.has(ins) && looksLikeBerTlv(data)) {
    const parsed = parseBerTlv(data, { base: offset });
    const children = berTlvNodes(parsed.objects, {
      tagName: (tag, parent) => tagName(tag, context, parent),
      idPrefix: 'iso7816.data.tlv',
    });
    return field('iso7816.data', `Data: ${data.length} byte(s), BER-TLV`, offset, data.length, toHex(data), children);
  }
  return field('iso7816.data', `Data: ${summarizeValue(data)}`, offset, data.length, toHex(data));
}

// Building APDUs from their fields is encode-command-apdu.ts's; re-exported for the console's APDU builder.
export { encodeCommandApdu, type ApduEncodeIssue, type CommandApduSpec, type EncodeCommandResult } from './encode-command-apdu.js';
