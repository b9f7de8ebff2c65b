/**
 * Turns the XfrBlock → DataBlock pairs of one reader slot into APDU exchanges. What abData
 * carries depends on the reader's exchange level (dwFeatures) and the card's protocol:
 *  - short/extended APDU level: the APDU itself, possibly chained over several XfrBlocks with
 *    wLevelParameter / bChainParameter (CCID 1.1 §6.1.4 and §6.2.1) when it exceeds the message;
 *  - TPDU level, T=0: the command TPDU and the card's answer, which are the short APDU and its
 *    response as far as a capture can tell (61xx/6Cxx stay visible, as pcscd sees them);
 *  - TPDU level, T=1: T=1 blocks, rebuilt into APDUs by core/iso7816's T1Reassembler;
 *  - character level: single characters, not decoded (one problem says so).
 */
import type { Problem } from '../dissect/node.js';
import type { ExchangeLevel } from '../ccid/decode-message.js';
import { decodeT1Block, T1Reassembler, type T1Edc } from '../iso7816/index.js';

/** One side of an XfrBlock/DataBlock pair, as the extractor needs it. */
export interface XfrPart {
  /** abData (present bytes). */
  data: Uint8Array;
  frame: number;
  timeNs: number;
  endTimeNs: number;
  truncated: boolean;
}

export interface RawApduExchange {
  command: Uint8Array;
  response: Uint8Array;
  commandFrame: number;
  responseFrame: number;
  commandTimeNs: number;
  responseEndNs: number;
  truncated: boolean;
}

export interface SlotApduSink {
  exchange(exchange: RawApduExchange): void;
  problem(frame: number, problem: Problem): void;
}

/** 'unknown': no class descriptor (endpoints found by the heuristic); guessed per exchange. */
export type SlotLevel = ExchangeLevel | 'unknown';

interface Pieces {
  parts: Uint8Array[];
  length: number;
  first: XfrPart;
  truncated: boolean;
}

/** Extended APDU level chaining values (wLevelParameter of XfrBlock, bChainParameter of DataBlock). */
const CHAIN_COMPLETE = 0x00;
const CHAIN_BEGINS = 0x01;
const CHAIN_ENDS = 0x02;
const CHAIN_CONTINUES = 0x03;
const CHAIN_EMPTY = 0x10;
/** Beyond any extended APDU: a hostile chain stops growing here. */
const MAX_CHAINED_LENGTH = 70_000;

export class SlotApdus {
  private protocol: number | undefined;
  private edc: T1Edc = 'lrc';
  private t1: T1Reassembler<XfrPart> | undefined;
  private t1Command: { bytes: Uint8Array; ref: XfrPart } | undefined;
  private chainedCommand: Pieces | undefined;
  private chainedResponse: Pieces | undefined;
  private characterWarned = false;

  constructor(
    private readonly level: SlotLevel,
    private readonly sink: SlotApduSink,
  ) {}

  /** A new ATR (card powered or reset): T=1 sequence numbers restart, chains are dropped. */
  cardReset(protocol: number | undefined, edc: T1Edc | undefined): void {
    this.protocol = protocol;
    this.edc = edc ?? 'lrc';
    this.t1 = undefined;
    this.t1Command = undefined;
    this.chainedCommand = undefined;
    this.chainedResponse = undefined;
  }

  /** SetParameters/Parameters told the protocol in use. */
  protocolSelected(protocol: number): void {
    if (protocol === this.protocol) return;
    this.protocol = protocol;
    this.t1 = undefined;
    this.t1Command = undefined;
  }

  xfr(command: XfrPart, wLevelParameter: number, answer: XfrPart, bChainParameter: number): void {
    if (this.protocol === undefined && (this.level === 'unknown' || this.level === 'tpdu')) this.guessT1(command, answer);
    const level = this.effectiveLevel(command);
    if (level === 'character') {
      if (!this.characterWarned) {
        this.characterWarned = true;
        this.sink.problem(command.frame, {
          code: 'character-level',
          message: 'character-level reader: its XfrBlocks carry single characters, not decoded into APDUs',
          severity: 'warning',
        });
      }
      return;
    }
    if (level === 'tpdu' && this.protocol === 1) {
      this.t1Blocks(command, answer);
      return;
    }
    if (level === 'tpdu') {
      this.emit(command.data, command, answer.data, answer, command.truncated || answer.truncated);
      return;
    }
    this.apduLevel(command, wLevelParameter, answer, bChainParameter);
  }

  private effectiveLevel(command: XfrPart): ExchangeLevel {
    if (this.level !== 'unknown') return this.level;
    // Without a descriptor: a T=1 slot whose abData is a well-formed block (EDC right) is taken as TPDU.
    if (this.protocol === 1 && decodeT1Block(command.data, { edc: this.edc }).problems.length === 0) return 'tpdu';
    return 'extended-apdu';
  }

  /**
   * The capture holds no ATR or protocol selection for this slot (it started after the card was
   * powered): when the command and its answer are both valid T=1 blocks under one EDC, the slot
   * runs T=1. Read as APDUs, blocks would give made-up commands — and a VERIFY sent in a block
   * would not be known as one, so its PIN would escape redaction.
   */
  private guessT1(command: XfrPart, answer: XfrPart): void {
    for (const edc of ['lrc', 'crc'] as const) {
      const valid = (part: XfrPart) => part.data.length > 0 && decodeT1Block(part.data, { edc }).problems.length === 0;
      if (!valid(command) || !valid(answer)) continue;
      this.protocol = 1;
      this.edc = edc;
      this.sink.problem(command.frame, {
        code: 't1-from-traffic',
        message: `no ATR or protocol selection before this exchange, but both sides are valid T=1 blocks (${edc.toUpperCase()}): read as T=1`,
        severity: 'warning',
      });
      return;
    }
  }

  private emit(command: Uint8Array, commandPart: XfrPart, response: Uint8Array, responsePart: XfrPart, truncated: boolean): void {
    this.sink.exchange({
      command,
      response,
      commandFrame: commandPart.frame,
      responseFrame: responsePart.frame,
      commandTimeNs: commandPart.timeNs,
      responseEndNs: responsePart.endTimeNs,
      truncated,
    });
  }

  private apduLevel(command: XfrPart, wLevelParameter: number, answer: XfrPart, bChainParameter: number): void {
    // Short APDU level readers leave both parameters 0; unknown values are read as "complete".
    const commandChain = wLevelParameter === CHAIN_EMPTY || wLevelParameter <= CHAIN_CONTINUES ? wLevelParameter : CHAIN_COMPLETE;
    if (commandChain === CHAIN_COMPLETE || commandChain === CHAIN_BEGINS) {
      if (this.chainedCommand) {
        this.sink.problem(command.frame, {
          code: 'chain-interrupted',
          message: 'a new command APDU started before the previous chained one ended (wLevelParameter)',
          severity: 'error',
        });
      }
      this.chainedCommand = this.startPieces(command);
      this.chainedResponse = undefined;
    } else if (commandChain === CHAIN_ENDS || commandChain === CHAIN_CONTINUES) {
      if (!this.chainedCommand) {
        this.sink.problem(command.frame, {
          code: 'chain-orphan',
          message: 'XfrBlock continues a command APDU whose beginning is not in the capture',
          severity: 'warning',
        });
        this.chainedCommand = this.startPieces(command);
      } else {
        this.append(this.chainedCommand, command);
      }
    }
    const pending = this.chainedCommand;
    if (!pending) return;

    // The reader asks for the rest of the command (0x10) or the command is not complete yet.
    if (bChainParameter === CHAIN_EMPTY) return;
    if (bChainParameter === CHAIN_BEGINS) {
      this.chainedResponse = this.startPieces(answer);
      return;
    }
    if (bChainParameter === CHAIN_CONTINUES) {
      if (this.chainedResponse) this.append(this.chainedResponse, answer);
      else this.chainedResponse = this.startPieces(answer);
      return;
    }
    let response: Uint8Array;
    let responseFirst = answer;
    let truncated = pending.truncated || answer.truncated;
    if (bChainParameter === CHAIN_ENDS && this.chainedResponse) {
      this.append(this.chainedResponse, answer);
      response = join(this.chainedResponse);
      responseFirst = this.chainedResponse.first;
      truncated ||= this.chainedResponse.truncated;
    } else {
      response = answer.data;
    }
    const commandBytes = pending.parts.length === 1 ? pending.parts[0]! : join(pending);
    this.chainedCommand = undefined;
    this.chainedResponse = undefined;
    this.sink.exchange({
      command: commandBytes,
      response,
      commandFrame: pending.first.frame,
      responseFrame: responseFirst.frame,
      commandTimeNs: pending.first.timeNs,
      responseEndNs: answer.endTimeNs,
      truncated,
    });
  }

  private startPieces(part: XfrPart): Pieces {
    return { parts: [part.data], length: part.data.length, first: part, truncated: part.truncated };
  }

  private append(pieces: Pieces, part: XfrPart): void {
    if (pieces.length + part.data.length > MAX_CHAINED_LENGTH) {
      this.sink.problem(part.frame, {
        code: 'apdu-too-long',
        message: `chained APDU longer than ${MAX_CHAINED_LENGTH} bytes: the rest is dropped`,
        severity: 'error',
      });
      pieces.truncated = true;
      return;
    }
    pieces.parts.push(part.data);
    pieces.length += part.data.length;
    pieces.truncated ||= part.truncated;
  }

  private t1Blocks(command: XfrPart, answer: XfrPart): void {
    const t1 = (this.t1 ??= new T1Reassembler<XfrPart>({ edc: this.edc }));
    for (const [direction, part] of [
      ['to-card', command],
      ['to-reader', answer],
    ] as const) {
      for (const event of t1.feedBytes(direction, part.data, part)) {
        if (event.type === 'problem') this.sink.problem(event.ref?.frame ?? part.frame, event.problem);
        if (event.type !== 'apdu') continue;
        const first = event.refs[0] ?? part;
        if (event.direction === 'to-card') {
          if (this.t1Command) {
            this.sink.problem(first.frame, {
              code: 'missing-response',
              message: 'a new command APDU was sent before the card answered the previous one',
              severity: 'error',
            });
          }
          this.t1Command = { bytes: event.bytes, ref: first };
          continue;
        }
        const pending = this.t1Command;
        if (!pending) {
          this.sink.problem(first.frame, {
            code: 'orphan-response',
            message: 'card answered an APDU not in the capture',
            severity: 'warning',
          });
          continue;
        }
        this.t1Command = undefined;
        const truncated = pending.ref.truncated || event.refs.some((r) => r.truncated);
        this.emit(pending.bytes, pending.ref, event.bytes, { ...first, endTimeNs: part.endTimeNs }, truncated);
      }
    }
  }
}

function join(pieces: Pieces): Uint8Array {
  const out = new Uint8Array(pieces.length);
  let at = 0;
  for (const part of pieces.parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
