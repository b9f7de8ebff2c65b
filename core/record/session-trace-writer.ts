/**
 * A reader session written as a pcapng file Wireshark decodes with no "Decode As": link type 252
 * (exported PDU), one interface per reader, one packet per command and per response handed to
 * Wireshark's `iso7816` dissector with its direction, the ATR as its own packet (`iso7816.atr`)
 * once a card is connected. What is not an APDU (reader, backend, protocol, card events, PIN
 * entries on a keypad) goes in comments as `key: value` lines, which people and our importer read.
 *
 * Every call appends whole blocks to the sink at once, so the file is valid after each packet and
 * a crash loses at most the packet being written. Secrets: with `pins: 'masked'` (the default)
 * the data of every command in the secret table (core/iso7816/secret-commands.ts) and the PIN
 * block of a keypad entry's template are overwritten with '*' bytes of the same length; the
 * interface comment says `pins: masked` or `pins: exact`.
 */
import { toHex } from '../bytes/hex.js';
import { maskedCommandBytes, maskedPinTemplateBytes } from '../iso7816/pin-redaction.js';
import { SecretCommandTracker } from '../iso7816/secret-commands.js';
import {
  encodeExportedPduTags,
  ISO7816_ATR_DISSECTOR,
  ISO7816_DISSECTOR,
  LINKTYPE_WIRESHARK_UPPER_PDU,
  P2P_DIR_FROM_CARD,
  P2P_DIR_TO_CARD,
  type PinRecording,
} from '../capture/exported-pdu.js';
import { enhancedPacketBlock, interfaceDescriptionBlock, sectionHeaderBlock } from './pcapng-blocks.js';

export type { PinRecording };

/** Receives the file's bytes in order; each chunk is one or more whole blocks. */
export type TraceSink = (chunk: Uint8Array) => void;

export interface RecordedReader {
  reader: string;
  /** pcsc, usb, virtual. */
  backend: string;
  /** What was asked when connecting (t0, t1, any); the packets say which one became active. */
  protocol: string;
}

export interface TraceWriterOptions {
  pins?: PinRecording;
  /** shb_userappl, e.g. "Cardbench 0.4.0". */
  application?: string;
}

interface RecordedInterface {
  id: number;
  secrets: SecretCommandTracker;
  /** Comments waiting for this interface's next packet (events that have no bytes of their own). */
  pending: string[];
}

// The tag numbers and their encoding are shared with the importer (core/capture/exported-pdu.ts).
const COMMAND_HEADER = encodeExportedPduTags(ISO7816_DISSECTOR, P2P_DIR_TO_CARD);
const RESPONSE_HEADER = encodeExportedPduTags(ISO7816_DISSECTOR, P2P_DIR_FROM_CARD);
const ATR_HEADER = encodeExportedPduTags(ISO7816_ATR_DISSECTOR, P2P_DIR_FROM_CARD);

export class SessionTraceWriter {
  readonly pins: PinRecording;
  private readonly interfaces = new Map<string, RecordedInterface>();
  /** The same interfaces by id (the order their blocks were written). */
  private readonly byIndex: RecordedInterface[] = [];
  private packetCount = 0;

  constructor(
    private readonly sink: TraceSink,
    options: TraceWriterOptions = {},
  ) {
    this.pins = options.pins ?? 'masked';
    this.sink(sectionHeaderBlock(options.application ?? 'Cardbench'));
  }

  /** Packets written so far. */
  get packets(): number {
    return this.packetCount;
  }

  /** The interface of a reader, its description block written the first time. */
  interfaceOf(reader: RecordedReader): number {
    const key = `${reader.backend}:${reader.reader}`;
    let found = this.interfaces.get(key);
    if (!found) {
      found = { id: this.interfaces.size, secrets: new SecretCommandTracker(), pending: [] };
      this.interfaces.set(key, found);
      this.byIndex.push(found);
      const comment = [`reader: ${reader.reader}`, `backend: ${reader.backend}`, `protocol: ${reader.protocol}`, `pins: ${this.pins}`];
      this.sink(interfaceDescriptionBlock(LINKTYPE_WIRESHARK_UPPER_PDU, reader.reader, comment.join('\n')));
    }
    return found.id;
  }

  /** A comment for the interface's next packet, after its own lines (card removed, reset…): events carry no bytes of their own. */
  note(interfaceId: number, comment: string): void {
    this.byId(interfaceId).pending.push(comment);
  }

  /** The ATR as a packet from the card, with `event: card connected` and `atr: <hex>`. */
  cardConnected(interfaceId: number, atr: Uint8Array, timestamp: bigint, comments: readonly string[] = []): void {
    this.packet(interfaceId, timestamp, ATR_HEADER, atr, ['event: card connected', `atr: ${toHex(atr)}`, ...comments]);
  }

  /** A command APDU towards the card; its data masked when it carries a secret and pins are masked. */
  command(interfaceId: number, apdu: Uint8Array, timestamp: bigint, comments: readonly string[] = []): void {
    const secret = this.byId(interfaceId).secrets.classify(apdu);
    const recorded = secret !== undefined && this.pins === 'masked' ? maskedCommandBytes(apdu) : apdu;
    // A VERIFY without data (asking for the retry counter) has nothing to hide: say so only when something was.
    const masked = recorded !== apdu && recorded.some((byte, i) => byte !== apdu[i]);
    const lines = masked ? [...comments, `masked: ${secret!.name} data (${secret!.secret})`] : comments;
    this.packet(interfaceId, timestamp, COMMAND_HEADER, recorded, lines);
  }

  /** The card's answer (data and status word). */
  response(interfaceId: number, response: Uint8Array, timestamp: bigint, comments: readonly string[] = []): void {
    this.packet(interfaceId, timestamp, RESPONSE_HEADER, response, comments);
  }

  /**
   * A PIN entry on the reader's keypad: its APDU template as the command (the reader puts the
   * typed PIN into the PIN block on its way to the card), the request itself described in
   * `comments`. The PIN block is masked unless pins are exact.
   */
  pinEntry(interfaceId: number, template: Uint8Array, timestamp: bigint, comments: readonly string[]): void {
    const mask = this.pins === 'masked';
    const lines = mask ? [...comments, 'masked: PIN block of the keypad template'] : comments;
    // The template is no command of its own for the chain tracker, but keeps it in step.
    this.byId(interfaceId).secrets.classify(template);
    this.packet(interfaceId, timestamp, COMMAND_HEADER, mask ? maskedPinTemplateBytes(template) : template, lines);
  }

  private packet(interfaceId: number, timestamp: bigint, header: Uint8Array, pdu: Uint8Array, comments: readonly string[]): void {
    const recorded = this.byId(interfaceId);
    // The packet's own lines first (a reader of the comment that takes the first `event:` line
    // sees what this packet is), then the events that happened since the last one.
    const lines = [...comments, ...recorded.pending.splice(0)];
    this.sink(enhancedPacketBlock(interfaceId, timestamp, [header, pdu], lines.length > 0 ? [lines.join('\n')] : []));
    this.packetCount++;
  }

  private byId(interfaceId: number): RecordedInterface {
    const recorded = this.byIndex[interfaceId];
    if (recorded) return recorded;
    throw new RangeError(`no interface ${interfaceId} was described in this recording`);
  }
}
