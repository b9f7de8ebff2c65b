/**
 * Wireshark's exported PDU header (LINKTYPE_WIRESHARK_UPPER_PDU, 252): TLVs of a 2-byte tag and a
 * 2-byte length, big-endian, ending with tag 0 of length 0 (epan/exported_pdu.h). Only what a
 * recording needs: the dissector to hand the PDU to and its direction, which the iso7816
 * dissector reads to tell a command from a response. The reading side may keep its own copy
 * of these numbers in core/capture; they are Wireshark's and never change.
 */
export const LINKTYPE_WIRESHARK_UPPER_PDU = 252;

export const EXP_PDU_TAG_END_OF_OPT = 0;
export const EXP_PDU_TAG_DISSECTOR_NAME = 12;
export const EXP_PDU_TAG_P2P_DIRECTION = 35;

/** P2P_DIR_SENT / P2P_DIR_RECV: towards the card, from the card. */
export const P2P_DIRECTION = { toCard: 0, fromCard: 1 } as const;
export type P2pDirection = (typeof P2P_DIRECTION)[keyof typeof P2P_DIRECTION];

/** Wireshark's registered dissector names for APDUs and for an ATR. */
export const ISO7816_DISSECTOR = 'iso7816';
export const ISO7816_ATR_DISSECTOR = 'iso7816.atr';

/**
 * The tags before one PDU. The dissector name is zero-padded to a multiple of 4 bytes and the
 * padding is counted in its length, as Wireshark writes it (its reader takes the name up to the
 * first zero byte).
 */
export function exportedPduHeader(dissector: string, direction: P2pDirection): Uint8Array {
  const nameLength = dissector.length;
  const padded = (nameLength + 3) & ~3;
  const out = new Uint8Array(4 + padded + 4 + 4 + 4);
  const view = new DataView(out.buffer);
  view.setUint16(0, EXP_PDU_TAG_DISSECTOR_NAME);
  view.setUint16(2, padded);
  // Dissector names are ASCII by Wireshark's registration rules.
  for (let i = 0; i < nameLength; i++) out[4 + i] = dissector.charCodeAt(i) & 0x7f;
  let p = 4 + padded;
  view.setUint16(p, EXP_PDU_TAG_P2P_DIRECTION);
  view.setUint16(p + 2, 4);
  view.setUint32(p + 4, direction);
  p += 8;
  view.setUint16(p, EXP_PDU_TAG_END_OF_OPT);
  view.setUint16(p + 2, 0);
  return out;
}
