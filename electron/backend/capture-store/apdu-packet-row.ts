/**
 * Rows of APDU-level traces (exported-PDU recordings, pcsc-spy logs): their bytes are a command
 * APDU, a response or an ATR as the trace carries it, with no CCID message around them. They are
 * read here into the shape row-decode reads a CCID message in (name, summary, the bytes as its
 * data, a root node), so the list line, the secrecy rules and the detail tree are the same code.
 */
import type { CcidMessage, CcidPayloadKind } from '#core/ccid/decode-message.js';
import { parseAtr } from '#core/iso7816/atr.js';
import type { DissectNode } from '#core/dissect/node.js';
import { PAYLOAD_KINDS, type StoredPayloadKind } from './row-columns.js';

const PACKET_KINDS: Partial<Record<StoredPayloadKind, { name: string; data: CcidPayloadKind }>> = {
  'apdu-packet': { name: 'Command APDU', data: 'apdu' },
  'response-packet': { name: 'Response APDU', data: 'response-apdu' },
  'atr-packet': { name: 'ATR', data: 'atr' },
};

export const KIND_APDU_PACKET = PAYLOAD_KINDS.indexOf('apdu-packet');
export const KIND_RESPONSE_PACKET = PAYLOAD_KINDS.indexOf('response-packet');

/** Whether a row's kind column says it is an APDU-level packet rather than a CCID message. */
export function isApduPacketRow(kind: number): boolean {
  const name = PAYLOAD_KINDS[kind];
  return name !== undefined && PACKET_KINDS[name] !== undefined;
}

export function decodeApduPacketRow(bytes: Uint8Array, kind: number): CcidMessage {
  const packet = PACKET_KINDS[PAYLOAD_KINDS[kind]!]!;
  const length = bytes.length;
  // The node under which detailTree nests the APDU's own tree (it looks for ccid.abData).
  const content: DissectNode = { id: 'ccid.abData', label: `${packet.name} (${length} bytes)`, offset: 0, length };
  if (packet.data === 'atr') content.children = [parseAtr(bytes).node];
  const node: DissectNode = {
    id: 'trace.packet',
    label: `${packet.name}: from an APDU-level trace (no CCID message around it)`,
    offset: 0,
    length,
    children: [content],
  };
  return {
    offset: 0,
    length,
    bMessageType: 0,
    // Not a CCID name: the row's name in the list.
    name: packet.name as CcidMessage['name'],
    fields: {},
    data: { offset: 0, length, declaredLength: length, bytes, kind: packet.data },
    summary: packet.name,
    node,
    problems: [],
  };
}
