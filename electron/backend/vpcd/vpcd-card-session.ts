/**
 * Plugs a SmartCard into vsmartcard's vpcd reader driver: we are the TCP client, vpcd (inside pcscd) the
 * server. Connecting inserts the card, closing removes it. vpcd sends control bytes (power, reset, ATR)
 * and APDUs; we answer each in one frame. When vpcd is not listening (pcscd not started yet, or restarted)
 * the session keeps retrying and says so once, instead of failing.
 */
import { intHex } from '#core/bytes/hex.js';
import { createConnection, type Socket } from 'node:net';
import type { SmartCard } from '#core/sim/card/virtual-card.js';
import { formatVpcdAddress, type VpcdAddress } from './vpcd-address.js';
import { VPCD_CONTROL, VpcdFrameReader, encodeVpcdFrame } from './vpcd-framing.js';

export type VpcdEvent =
  | { kind: 'waiting'; address: string; reason: string }
  | { kind: 'connected'; address: string; atr: Uint8Array }
  | { kind: 'disconnected'; address: string; reason: string }
  | { kind: 'power'; action: 'on' | 'off' | 'reset' }
  | { kind: 'exchange'; command: Uint8Array; response: Uint8Array; elapsedMs: number }
  /** A command the card received and will never answer (it has gone mute, see `muteAfterApdus`). */
  | { kind: 'unanswered'; command: Uint8Array }
  | { kind: 'ignored'; reason: string };

export interface VpcdCardSessionOptions {
  address: VpcdAddress;
  card: SmartCard;
  /** Delay between connection attempts while vpcd is not there (default 500 ms: pcscd polls vpcd every ~400 ms). */
  retryMs?: number;
  /**
   * Answer this many APDUs, then receive every later one without answering, while staying inserted:
   * a card that stopped answering, so callers blocked in SCardTransmit can be tested (timeouts, Ctrl-C).
   * Power and ATR requests are still answered: the card is present, only mute.
   */
  muteAfterApdus?: number;
  onEvent?: (event: VpcdEvent) => void;
}

export interface VpcdCardSession {
  readonly connected: boolean;
  /** Removes the card (closes the connection) and stops retrying. */
  close(): Promise<void>;
}

const CLOSE_TIMEOUT_MS = 2000;

export function plugCardIntoVpcd(options: VpcdCardSessionOptions): VpcdCardSession {
  const { card, address } = options;
  const label = formatVpcdAddress(address);
  const retryMs = options.retryMs ?? 500;
  const emit = (event: VpcdEvent): void => options.onEvent?.(event);
  let socket: Socket | undefined;
  let connected = false;
  let stopped = false;
  let waitingSaid = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let atr = card.reset();
  let answered = 0;

  const answer = (payload: Uint8Array): Uint8Array | undefined => {
    if (payload.length === 1) {
      switch (payload[0]) {
        case VPCD_CONTROL.POWER_OFF:
          emit({ kind: 'power', action: 'off' });
          return undefined;
        case VPCD_CONTROL.POWER_ON:
          atr = card.reset();
          emit({ kind: 'power', action: 'on' });
          return undefined;
        case VPCD_CONTROL.RESET:
          atr = card.reset();
          emit({ kind: 'power', action: 'reset' });
          return undefined;
        case VPCD_CONTROL.GET_ATR:
          return atr;
        default:
          emit({ kind: 'ignored', reason: `unknown vpcd control byte ${intHex(payload[0]!, 2)}` });
          return undefined;
      }
    }
    if (payload.length === 0) return undefined;
    if (options.muteAfterApdus !== undefined && answered >= options.muteAfterApdus) {
      emit({ kind: 'unanswered', command: payload });
      return undefined;
    }
    answered++;
    const started = performance.now();
    const response = card.transmit(payload);
    emit({ kind: 'exchange', command: payload, response, elapsedMs: performance.now() - started });
    return response;
  };

  const connect = (): void => {
    retryTimer = undefined;
    if (stopped) return;
    const reader = new VpcdFrameReader();
    const current = createConnection({ host: address.host, port: address.port });
    socket = current;
    let failure = 'connection closed';
    current.setNoDelay(true);
    current.on('connect', () => {
      // vpcd writes length and payload separately; without NODELAY our answers would wait for delayed ACKs too.
      current.setNoDelay(true);
      connected = true;
      waitingSaid = false;
      emit({ kind: 'connected', address: label, atr });
    });
    current.on('data', (chunk: Buffer) => {
      for (const payload of reader.push(chunk)) {
        const response = answer(payload);
        if (response) current.write(encodeVpcdFrame(response));
      }
    });
    current.on('error', (error: NodeJS.ErrnoException) => {
      failure = describeSocketError(error, label);
    });
    current.on('close', () => {
      const wasConnected = connected;
      connected = false;
      if (socket === current) socket = undefined;
      if (wasConnected) emit({ kind: 'disconnected', address: label, reason: stopped ? 'card removed' : failure });
      if (stopped) return;
      if (!waitingSaid) {
        waitingSaid = true;
        emit({ kind: 'waiting', address: label, reason: failure });
      }
      retryTimer = setTimeout(connect, retryMs);
    });
  };
  connect();

  return {
    get connected() {
      return connected;
    },
    async close() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = undefined;
      const current = socket;
      if (!current || current.destroyed) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => current.destroy(), CLOSE_TIMEOUT_MS);
        current.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        current.end();
      });
    },
  };
}

function describeSocketError(error: NodeJS.ErrnoException, label: string): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return `nothing listens at ${label}: start pcscd with the vpcd reader (package vsmartcard-vpcd), or check the port`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host of ${label} not found: check the name`;
    case 'ECONNRESET':
      return `vpcd at ${label} closed the connection (pcscd stopped or restarted?)`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${label} is unreachable: check the address and any firewall`;
    default:
      return `${label}: ${error.message}`;
  }
}
