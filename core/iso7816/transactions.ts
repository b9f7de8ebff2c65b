/**
 * Folds raw command/response exchanges into the logical transactions an application meant.
 * In T=0 a case-4 command is answered 61xx and the data fetched with GET RESPONSE (possibly
 * several times, 61xx again until 9000); a wrong Le is answered 6Cxx and the same command is
 * sent again with Le = xx. Each transaction keeps every exchange (by index) and presents the
 * concatenated data with the final status word, as if the card had answered in one go.
 */
import { byteHex } from '../bytes/hex.js';
import type { Problem } from '../dissect/node.js';
import { commandFields, type CommandFields } from './command-apdu.js';
import { INS } from './ins.js';

export interface ApduExchange {
  command: Uint8Array;
  response: Uint8Array;
  /** Optional capture references, carried into the transaction's time span. */
  commandFrame?: number;
  responseFrame?: number;
  commandTime?: number;
  responseTime?: number;
}

/** Why an exchange belongs to its transaction. */
export type ExchangeRole = 'initial' | 'get-response' | 'le-retry';

export interface ApduTransaction {
  /** Indices into the input list, in order; never empty. */
  exchanges: number[];
  /** Role of each exchange, parallel to `exchanges`. */
  roles: ExchangeRole[];
  /** The command the application sent first. */
  command: Uint8Array;
  /** Response data of every data-bearing exchange, concatenated (6Cxx answers contribute none). */
  data: Uint8Array;
  /** Final status word (of the last exchange); undefined when its response was shorter than 2 bytes. */
  sw1: number | undefined;
  sw2: number | undefined;
  /** True when more than one exchange was folded in. */
  folded: boolean;
  startTime?: number;
  endTime?: number;
  firstFrame?: number;
  lastFrame?: number;
  problems: Problem[];
}

interface Parsed {
  command: CommandFields;
  sw1: number | undefined;
  sw2: number | undefined;
  data: Uint8Array;
}

function parseExchange(exchange: ApduExchange): Parsed {
  const response = exchange.response;
  const command = commandFields(exchange.command);
  if (response.length < 2) return { command, sw1: undefined, sw2: undefined, data: response.subarray(0, 0) };
  return {
    command,
    sw1: response[response.length - 2]!,
    sw2: response[response.length - 1]!,
    data: response.subarray(0, response.length - 2),
  };
}

function isGetResponse(command: CommandFields): boolean {
  return command.ins === INS.GET_RESPONSE && command.p1 === 0 && command.p2 === 0 && command.apduCase !== undefined;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The retry after 6Cxx: same header and data, Le now xx (00 meaning 256). */
function isLeRetry(previous: CommandFields, next: CommandFields, sw2: number): boolean {
  return (
    next.cla === previous.cla &&
    next.ins === previous.ins &&
    next.p1 === previous.p1 &&
    next.p2 === previous.p2 &&
    sameBytes(next.data, previous.data) &&
    next.le === (sw2 === 0 ? 256 : sw2)
  );
}

/** Continuation role of `next` after an exchange that ended with (sw1, sw2), if any. */
function continuation(previous: Parsed, next: Parsed): ExchangeRole | undefined {
  const { sw1, sw2 } = previous;
  if (sw1 === undefined || sw2 === undefined) return undefined;
  // 9Fxx is the GSM 11.11 spelling of 61xx.
  if ((sw1 === 0x61 || sw1 === 0x9f) && isGetResponse(next.command)) return 'get-response';
  if (sw1 === 0x6c && isLeRetry(previous.command, next.command, sw2)) return 'le-retry';
  return undefined;
}

export function foldTransactions(exchanges: readonly ApduExchange[]): ApduTransaction[] {
  const parsed = exchanges.map(parseExchange);
  const transactions: ApduTransaction[] = [];
  let i = 0;
  while (i < parsed.length) {
    const indices = [i];
    const roles: ExchangeRole[] = ['initial'];
    const problems: Problem[] = [];
    const first = parsed[i]!;
    if (isGetResponse(first.command)) {
      problems.push({ code: 'orphan-get-response', message: 'GET RESPONSE without a pending 61xx', severity: 'warning' });
    }
    let last = first;
    let j = i + 1;
    while (j < parsed.length) {
      const role = continuation(last, parsed[j]!);
      if (!role) break;
      indices.push(j);
      roles.push(role);
      last = parsed[j]!;
      j++;
    }
    if (last.sw1 === undefined) {
      problems.push({ code: 'bad-response', message: 'response shorter than a status word', severity: 'error' });
    } else if (last.sw1 === 0x61 || last.sw1 === 0x9f) {
      problems.push({
        code: 'response-abandoned',
        message: `${last.sw2 === 0 && last.sw1 === 0x61 ? '256 or more' : last.sw2} byte(s) left unread: no GET RESPONSE followed`,
        severity: 'warning',
      });
    } else if (last.sw1 === 0x6c) {
      problems.push({
        code: 'le-not-corrected',
        message: `card asked for Le=${byteHex(last.sw2!)} but the command was not sent again`,
        severity: 'warning',
      });
    }

    let total = 0;
    for (const index of indices) {
      const p = parsed[index]!;
      if (p.sw1 !== 0x6c) total += p.data.length;
    }
    const data = new Uint8Array(total);
    let at = 0;
    for (const index of indices) {
      const p = parsed[index]!;
      if (p.sw1 === 0x6c) continue; // the card sends no data with 6Cxx; anything there is not part of the answer
      data.set(p.data, at);
      at += p.data.length;
    }

    const firstExchange = exchanges[i]!;
    const lastExchange = exchanges[indices[indices.length - 1]!]!;
    const transaction: ApduTransaction = {
      exchanges: indices,
      roles,
      command: firstExchange.command,
      data,
      sw1: last.sw1,
      sw2: last.sw2,
      folded: indices.length > 1,
      problems,
    };
    if (firstExchange.commandTime !== undefined) transaction.startTime = firstExchange.commandTime;
    if (lastExchange.responseTime !== undefined) transaction.endTime = lastExchange.responseTime;
    if (firstExchange.commandFrame !== undefined) transaction.firstFrame = firstExchange.commandFrame;
    if (lastExchange.responseFrame !== undefined) transaction.lastFrame = lastExchange.responseFrame;
    transactions.push(transaction);
    i = j;
  }
  return transactions;
}
