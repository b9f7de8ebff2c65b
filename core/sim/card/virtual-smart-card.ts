/**
 * The virtual card: one state machine behind the SmartCard interface. It checks what every card checks
 * first (length fields, CLA, INS), routes the command to the selected application (OpenPGP, PIV) or to the
 * ISO file system, and lets the protocol shape the answer (61xx/GET RESPONSE, 6Cxx, extended Le).
 * Volatile state (selected application, current EF, verified PINs, pending GET RESPONSE data) ends at
 * reset(); PINs, retry counters and file contents are non-volatile.
 */
import { isInvalidIns } from '#core/iso7816/ins.js';
import { parseCommandApdu } from '#core/iso7816/command-apdu.js';
import { SW, dataAnswer, responseBytes, status, type Answer } from './answer.js';
import { buildAtr, defaultHistoricalBytes } from './card-atr.js';
import type { CardCommand } from './card-command.js';
import { IsoFileSystem, LONG_FILE_SIZE, defaultFiles } from './iso-file-system.js';
import { OPENPGP_AID_PREFIX, OPENPGP_MAX_CHALLENGE, OpenPgpApplet } from './openpgp-applet.js';
import { PIV_AID_PREFIX, PivApplet } from './piv-applet.js';
import { NOTHING_PENDING, shapeResponse } from './response-shaping.js';
import type { CardProtocol, SmartCard } from './virtual-card.js';

export interface VirtualCardOptions {
  /** Default T=1. */
  protocol?: CardProtocol;
  /** Historical bytes for the default ATR (at most 15). */
  historicalBytes?: Uint8Array;
  /** A whole ATR, used as given (it should announce the same protocol). */
  atr?: Uint8Array;
  openPgpPw1?: string;
  openPgpPw3?: string;
  pivPin?: string;
  /** Size of the long transparent EF 2F01 (default 600, at most 32767 so every byte has a P1P2 offset). */
  longFileSize?: number;
  /** Source of GET CHALLENGE bytes; default the platform's CSPRNG when there is one. */
  random?: (length: number) => Uint8Array;
}

type Selected = 'mf' | 'openpgp' | 'piv';

const INS_SELECT = 0xa4;
const INS_GET_RESPONSE = 0xc0;
const INS_GET_CHALLENGE = 0x84;
const INS_READ_BINARY = 0xb0;
const INS_UPDATE_BINARY = 0xd6;
const MAX_LONG_FILE = 0x7fff;

export class VirtualSmartCard implements SmartCard {
  readonly protocol: CardProtocol;
  readonly atr: Uint8Array;
  readonly #openPgp: OpenPgpApplet;
  readonly #piv: PivApplet;
  readonly #files: IsoFileSystem;
  readonly #random: (length: number) => Uint8Array;
  #selected: Selected = 'mf';
  #pending: Answer | undefined;

  constructor(options: VirtualCardOptions = {}) {
    this.protocol = options.protocol ?? 'T=1';
    const historical = options.historicalBytes ?? defaultHistoricalBytes(this.protocol);
    this.atr = (options.atr ?? buildAtr(this.protocol, historical)).slice();
    const longFileSize = options.longFileSize ?? LONG_FILE_SIZE;
    if (!Number.isInteger(longFileSize) || longFileSize < 1 || longFileSize > MAX_LONG_FILE) {
      throw new RangeError(`longFileSize must be 1 to ${MAX_LONG_FILE} bytes, got ${longFileSize}`);
    }
    this.#openPgp = new OpenPgpApplet({
      pw1: options.openPgpPw1,
      pw3: options.openPgpPw3,
      historicalBytes: historical,
      extendedLength: this.protocol === 'T=1',
    });
    this.#piv = new PivApplet({ pin: options.pivPin });
    this.#files = new IsoFileSystem(defaultFiles(longFileSize));
    this.#random = options.random ?? platformRandom;
  }

  reset(): Uint8Array {
    this.#selected = 'mf';
    this.#pending = undefined;
    this.#files.forgetSelection();
    this.#openPgp.deselect();
    this.#piv.deselect();
    return this.atr.slice();
  }

  transmit(apdu: Uint8Array): Uint8Array {
    try {
      return this.#exchange(apdu);
    } catch {
      // A bug must not take the reader down with it: a card that cannot say more answers 6F00.
      this.#pending = undefined;
      return responseBytes(new Uint8Array(0), SW.NO_PRECISE_DIAGNOSIS);
    }
  }

  /** The selected application, for status displays ('mf' when none). */
  get selected(): Selected {
    return this.#selected;
  }

  #exchange(apdu: Uint8Array): Uint8Array {
    const pending = this.#pending;
    this.#pending = undefined;
    const parsed = parseCommandApdu(apdu);
    if (parsed.apduCase === undefined || parsed.problems.some((p) => p.severity === 'error')) return sw(SW.WRONG_LENGTH);
    const classProblem = checkClass(parsed.cla);
    if (classProblem !== undefined) return sw(classProblem);
    if (isInvalidIns(parsed.ins)) return sw(SW.INS_NOT_SUPPORTED);
    // T=0 has no room for extended length fields (a T=0 card would need ENVELOPE).
    if (parsed.extended && this.protocol === 'T=0') return sw(SW.WRONG_LENGTH);

    const command: CardCommand = {
      cla: parsed.cla,
      ins: parsed.ins,
      p1: parsed.p1,
      p2: parsed.p2,
      data: parsed.data.slice(),
      hasData: parsed.lc !== undefined,
      ne: parsed.le ?? 256,
      leExplicit: parsed.le !== undefined,
    };
    // Under T=0 the TPDU of a case 4 command carries no Le: the card answers 61xx whatever the APDU said.
    const leHonoured = this.protocol === 'T=1' ? command.leExplicit : parsed.apduCase === '2S';

    if (command.ins === INS_GET_RESPONSE) {
      if (command.p1 !== 0 || command.p2 !== 0) {
        this.#pending = pending;
        return sw(SW.WRONG_P1P2);
      }
      if (!pending) return sw(NOTHING_PENDING);
      const shaped = shapeResponse({ protocol: this.protocol, answer: pending, ne: command.ne, leExplicit: leHonoured });
      // After 6Cxx the host asks again with the right Le: the data stays available.
      this.#pending = shaped.wrongLe ? pending : shaped.pending;
      return shaped.bytes;
    }
    const answer = this.#dispatch(command);
    const shaped = shapeResponse({ protocol: this.protocol, answer, ne: command.ne, leExplicit: leHonoured });
    this.#pending = shaped.pending;
    return shaped.bytes;
  }

  #dispatch(command: CardCommand): Answer {
    switch (command.ins) {
      case INS_SELECT:
        return this.#select(command);
      case INS_GET_CHALLENGE:
        return this.#getChallenge(command);
      case INS_READ_BINARY:
        return this.#files.readBinary(command);
      case INS_UPDATE_BINARY:
        return this.#files.updateBinary(command);
      default:
        if (this.#selected === 'openpgp') return this.#openPgp.handle(command);
        if (this.#selected === 'piv') return this.#piv.handle(command);
        return status(mfAnswerTo(command.ins));
    }
  }

  #select(command: CardCommand): Answer {
    if (command.p1 !== 0x04) {
      const answer = this.#files.select(command);
      if (answer.sw === SW.OK) this.#enter('mf');
      return answer;
    }
    if ((command.p2 & 0xf3) !== 0) return status(SW.WRONG_P1P2);
    const wantsNoData = (command.p2 & 0x0c) === 0x0c;
    if (startsWith(command.data, OPENPGP_AID_PREFIX) && command.data.length <= this.#openPgp.aid.length) {
      if (!startsWith(this.#openPgp.aid, command.data)) return status(SW.FILE_NOT_FOUND);
      this.#enter('openpgp');
      // OpenPGP cards answer SELECT with no FCI.
      return status(SW.OK);
    }
    if (command.data.length >= PIV_AID_PREFIX.length && startsWith(PIV_AID_PREFIX_FULL, command.data)) {
      this.#enter('piv');
      return wantsNoData ? status(SW.OK) : this.#piv.selectAnswer();
    }
    return status(SW.FILE_NOT_FOUND);
  }

  #enter(application: Selected): void {
    // Selecting an application (even the same one again) ends the previous one's access status.
    this.#openPgp.deselect();
    this.#piv.deselect();
    if (application !== 'mf') this.#files.forgetSelection();
    this.#selected = application;
  }

  #getChallenge(command: CardCommand): Answer {
    if (command.p1 !== 0 || command.p2 !== 0) return status(SW.WRONG_P1P2);
    if (command.hasData || !command.leExplicit || command.ne > OPENPGP_MAX_CHALLENGE) return status(SW.WRONG_LENGTH);
    return dataAnswer(this.#random(command.ne).slice(0, command.ne));
  }
}

export function createVirtualCard(options: VirtualCardOptions = {}): VirtualSmartCard {
  return new VirtualSmartCard(options);
}

const PIV_AID_PREFIX_FULL = Uint8Array.of(0xa0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00);

function sw(value: number): Uint8Array {
  return responseBytes(new Uint8Array(0), value);
}

/**
 * Only the first inter-industry class (00–1F) on the basic channel, without secure messaging or chaining:
 * each of those has its own ISO answer.
 */
function checkClass(cla: number): number | undefined {
  if ((cla & 0x80) !== 0) return SW.CLA_NOT_SUPPORTED;
  if ((cla & 0x40) !== 0) return SW.LOGICAL_CHANNEL_NOT_SUPPORTED;
  if ((cla & 0x20) !== 0) return SW.CLA_NOT_SUPPORTED;
  if ((cla & 0x03) !== 0) return SW.LOGICAL_CHANNEL_NOT_SUPPORTED;
  if ((cla & 0x0c) !== 0) return SW.SECURE_MESSAGING_NOT_SUPPORTED;
  if ((cla & 0x10) !== 0) return SW.CHAINING_NOT_SUPPORTED;
  return undefined;
}

/** With no application selected, application commands find no reference data; anything else is unknown. */
function mfAnswerTo(ins: number): number {
  if (ins === 0xca || ins === 0xcb || ins === 0x20 || ins === 0x24) return SW.REFERENCED_DATA_NOT_FOUND;
  return SW.INS_NOT_SUPPORTED;
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

interface CryptoLike {
  getRandomValues(array: Uint8Array): Uint8Array;
}

/** The Web Crypto CSPRNG that Node, browsers and Electron all expose; core/ cannot import node:crypto. */
function platformRandom(length: number): Uint8Array {
  const crypto = (globalThis as { crypto?: CryptoLike }).crypto;
  const out = new Uint8Array(length);
  if (crypto) return crypto.getRandomValues(out);
  throw new Error('no random source on this platform: pass `random` in the virtual card options');
}
