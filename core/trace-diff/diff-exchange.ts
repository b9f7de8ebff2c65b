/**
 * One APDU exchange as a comparison needs it: the command (exact, for alignment and replay, and
 * as shown, its secret data masked), its INS name, and the answer reduced to what
 * equality and a reader of the difference need — status word, length, a 53-bit hash of the data
 * and the first bytes as hex. Long answers are compared in full (by hash) but never held whole,
 * so memory per exchange stays bounded whatever the trace holds.
 */
import { SelectedApplications } from '../apps/selected-applications.js';
import { byteHex, fromHex, toHex } from '../bytes/hex.js';
import { commandFields } from '../iso7816/command-apdu.js';
import { insName } from '../iso7816/ins.js';
import { maskedCommandHex } from '../iso7816/pin-redaction.js';
import { SecretCommandTracker } from '../iso7816/secret-commands.js';

/** Answer bytes kept as hex for display (the rest is compared by hash and counted). */
export const SHOWN_RESPONSE_BYTES = 256;

export interface DiffExchange {
  /** The exchange's index in its trace (TraceExchange.index, 1-based). */
  index: number;
  /** "device slot N" as the trace names the card conversation. */
  conversation: string;
  /** The command as recorded (hex). Secret data in it is never printed: use `shownCommand`. */
  command: string;
  /** The command as shown: secret data (PINs, keys) masked as '**'. */
  shownCommand: string;
  /** INS name in the light of the application selected on the conversation, or "INS xx". */
  name: string;
  /** The secret command's name (VERIFY…) when the command carries one. */
  secret?: string;
  /** The trace holds the secret data masked (a redacted recording): it cannot be sent again. */
  masked: boolean;
  /** The answer's first SHOWN_RESPONSE_BYTES bytes, hex. */
  response: string;
  responseLength: number;
  /** Hash of the whole answer but its status word. */
  dataHash: number;
  sw: string | null;
  /** When the command went out, ms since the trace's start. */
  timeMs: number;
  durationMs: number;
}

/** The fields of an exchange a builder reads (TraceRawExchange has them, so does a replayed one). */
export interface ExchangeBytes {
  index: number;
  device: string;
  slot: number;
  command: Uint8Array;
  response: Uint8Array;
  timeMs: number;
  durationMs: number;
  /** Bytes the trace shows as masked (a redacted report's '**'): the command's data is unknown. */
  maskedCommand?: boolean;
}

/**
 * Secret data a recording masked instead of keeping: the recorder writes each hidden byte as
 * the same filler, so a body of one repeated 0xFF, 0x00 or '*' (0x2A) byte counts as masked.
 * An all-FF PIN block is no PIN anyone types; treating it as masked only means it is not replayed.
 */
export function looksMasked(data: Uint8Array): boolean {
  if (data.length === 0) return false;
  const filler = data[0]!;
  if (filler !== 0xff && filler !== 0x00 && filler !== 0x2a) return false;
  return data.every((byte) => byte === filler);
}

/** Builds the DiffExchanges of one trace, given its exchanges in capture order. */
export class DiffTraceBuilder {
  readonly exchanges: DiffExchange[] = [];
  private readonly secrets = new Map<string, SecretCommandTracker>();
  private readonly selected = new Map<string, SelectedApplications>();

  /** @param traceMasked the whole trace says its secret data is masked (a redacted report, a `pins: masked` recording) */
  constructor(private readonly traceMasked = false) {}

  /** Each conversation's name made once (one string per conversation, not per exchange). */
  private readonly names = new Map<string, string[]>();

  add(e: ExchangeBytes): DiffExchange {
    const bySlot = mapGet(this.names, e.device, () => []);
    const conversation = (bySlot[e.slot] ??= `${e.device} slot ${e.slot}`);
    const tracker = mapGet(this.secrets, conversation, () => new SecretCommandTracker());
    const apps = mapGet(this.selected, conversation, () => new SelectedApplications());
    const command = e.command;
    const secret = tracker.classify(command);
    const data = secret ? secretData(command) : undefined;
    const masked = secret !== undefined && (this.traceMasked || e.maskedCommand === true || (data !== undefined && looksMasked(data)));
    const exact = toHex(command);
    const shown = secret ? maskedCommandHex(command) : exact;
    const cla = command[0];
    const ins = command[1];
    const name = cla !== undefined && ins !== undefined ? (insName(cla, ins, apps.contextFor(cla)) ?? `INS ${byteHex(ins)}`) : 'short APDU';
    const response = e.response;
    const hasSw = response.length >= 2;
    const sw1 = hasSw ? response[response.length - 2]! : undefined;
    apps.observe(command, sw1);
    const exchange: DiffExchange = {
      index: e.index,
      conversation,
      command: exact,
      shownCommand: shown,
      name,
      masked,
      response: toHex(response.subarray(0, SHOWN_RESPONSE_BYTES)),
      responseLength: response.length,
      dataHash: hashBytes(hasSw ? response.subarray(0, response.length - 2) : response),
      sw: hasSw ? byteHex(sw1!) + byteHex(response[response.length - 1]!) : null,
      timeMs: e.timeMs,
      durationMs: e.durationMs,
    };
    if (secret) exchange.secret = secret.name;
    this.exchanges.push(exchange);
    return exchange;
  }
}

/** A trace exchange as hex (a report, possibly redacted with '**'), as the builder reads it. */
export function exchangeBytesOfHex(e: {
  index: number;
  device: string;
  slot: number;
  command: string;
  response: string;
  timeMs: number;
  durationMs: number;
}): ExchangeBytes {
  const masked = e.command.includes('*');
  return {
    index: e.index,
    device: e.device,
    slot: e.slot,
    command: fromHex(e.command.replace(/\*/g, masked ? 'F' : '0')),
    response: fromHex(e.response),
    timeMs: e.timeMs,
    durationMs: e.durationMs,
    ...(masked ? { maskedCommand: true } : {}),
  };
}

function secretData(command: Uint8Array): Uint8Array | undefined {
  if (command.length <= 4) return undefined;
  return commandFields(command).data;
}

function mapGet<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = make()));
  return value;
}

/**
 * 53 bits from two 32-bit hashes (FNV-1a and a multiply-rotate one) over the bytes: two
 * different answers of the same length and status word collide with odds of about 2⁻⁵³.
 */
export function hashBytes(bytes: Uint8Array): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c ^ bytes.length;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    h1 = Math.imul(h1 ^ byte, 0x01000193);
    h2 = Math.imul(h2 ^ byte, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return (h1 >>> 0) * 0x200000 + ((h2 >>> 0) & 0x1fffff);
}
