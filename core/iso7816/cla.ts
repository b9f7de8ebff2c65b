/**
 * The class byte (ISO 7816-4 §5.4.1). b8 = 0 is interindustry: 000x xxxx is the first
 * interindustry range (channels 0–3, two SM bits), 01xx xxxx the further range (channels 4–19,
 * one SM bit); 001x xxxx is reserved. b8 = 1 is proprietary (EMV, GlobalPlatform, DESFire …)
 * and FF is invalid because PPS uses it.
 */
import { byteHex } from '../bytes/hex.js';
import { field, type DissectNode } from '../dissect/node.js';

export type ClassKind = 'first-interindustry' | 'further-interindustry' | 'reserved' | 'proprietary' | 'invalid';

export type SecureMessagingIndication = 'none' | 'proprietary' | 'sm-header-not-authenticated' | 'sm-header-authenticated';

export interface ClassByte {
  value: number;
  kind: ClassKind;
  /** Logical channel number, for interindustry classes. */
  channel?: number;
  /** b5: command is not the last of a chain. */
  chaining?: boolean;
  secureMessaging?: SecureMessagingIndication;
  /** One line for a person: 'interindustry, channel 0, no SM'. */
  description: string;
}

const SM_FIRST: readonly SecureMessagingIndication[] = ['none', 'proprietary', 'sm-header-not-authenticated', 'sm-header-authenticated'];

const SM_TEXT: Readonly<Record<SecureMessagingIndication, string>> = {
  none: 'no SM',
  proprietary: 'proprietary SM',
  'sm-header-not-authenticated': 'SM, header not authenticated',
  'sm-header-authenticated': 'SM, header authenticated',
};

export function decodeCla(cla: number): ClassByte {
  const value = cla & 0xff;
  if (value === 0xff) return { value, kind: 'invalid', description: 'invalid class FF (reserved for PPS)' };
  if ((value & 0x80) !== 0) {
    // Proprietary classes often mirror the first interindustry layout (EMV 84 = SM, GP 80–83 =
    // channels): say so, but do not claim it, since the meaning belongs to the application.
    const chaining = (value & 0x10) !== 0;
    const sm = (value & 0x04) !== 0;
    return {
      value,
      kind: 'proprietary',
      description:
        `proprietary class ${byteHex(value)}` +
        ` (if laid out like ISO: channel ${value & 0x03}${sm ? ', SM' : ''}${chaining ? ', chaining' : ''})`,
    };
  }
  if ((value & 0xe0) === 0x00) {
    const channel = value & 0x03;
    const secureMessaging = SM_FIRST[(value >> 2) & 0x03]!;
    const chaining = (value & 0x10) !== 0;
    return {
      value,
      kind: 'first-interindustry',
      channel,
      chaining,
      secureMessaging,
      description: describe(channel, secureMessaging, chaining),
    };
  }
  if ((value & 0xc0) === 0x40) {
    const channel = 4 + (value & 0x0f);
    const secureMessaging: SecureMessagingIndication = (value & 0x20) !== 0 ? 'sm-header-not-authenticated' : 'none';
    const chaining = (value & 0x10) !== 0;
    return {
      value,
      kind: 'further-interindustry',
      channel,
      chaining,
      secureMessaging,
      description: describe(channel, secureMessaging, chaining),
    };
  }
  return { value, kind: 'reserved', description: `reserved class ${byteHex(value)} (001x xxxx is RFU)` };
}

function describe(channel: number, sm: SecureMessagingIndication, chaining: boolean): string {
  return `interindustry, channel ${channel}, ${SM_TEXT[sm]}${chaining ? ', command chaining (not last)' : ''}`;
}

export function isInterindustryCla(cla: number): boolean {
  return (cla & 0x80) === 0;
}

/** The CLA node with its bit fields as children. */
export function claNode(cla: number, offset: number): DissectNode {
  const decoded = decodeCla(cla);
  const children: DissectNode[] = [];
  if (decoded.kind === 'first-interindustry' || decoded.kind === 'further-interindustry') {
    children.push(
      field(
        'iso7816.cla.chaining',
        `Command chaining: ${decoded.chaining ? 'not the last command' : 'last or only command'}`,
        offset,
        1,
        decoded.chaining ? 1 : 0,
      ),
      field('iso7816.cla.sm', `Secure messaging: ${SM_TEXT[decoded.secureMessaging!]}`, offset, 1, decoded.secureMessaging),
      field('iso7816.cla.channel', `Logical channel: ${decoded.channel}`, offset, 1, decoded.channel),
    );
  }
  return field('iso7816.cla', `CLA: ${byteHex(cla)} (${decoded.description})`, offset, 1, cla, children);
}
