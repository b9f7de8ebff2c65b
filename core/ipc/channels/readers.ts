/**
 * Readers and Console channels (PC/SC, built-in virtual reader, direct USB). Owned by the
 * Readers/Console work; merged into the contract by contract.ts.
 */
import { z } from 'zod';
import type { ExchangeView } from '#core/console/exchange-view.js';
import type { HistoryEntry } from '#core/console/history.js';
import type { ReaderInspection } from '#core/console/reader-inspection.js';
import type { ScriptRunResult } from '#core/console/script-run.js';
import type { SessionExport } from '#core/console/session-export.js';
import type { Snippet } from '#core/console/snippet.js';
import type { BackendStatus } from '../app-info.js';
import { channel } from './define.js';

export type ReaderBackendName = 'pcsc' | 'virtual' | 'usb';

export interface ReaderListItem {
  /** `<backend>:<name>`, what every other channel takes as `reader`. */
  id: string;
  name: string;
  backend: ReaderBackendName;
  cardPresent: boolean;
  /** Uppercase hex, null without a card. */
  atr: string | null;
}

export interface ReaderList {
  backends: { kind: ReaderBackendName; status: BackendStatus }[];
  readers: ReaderListItem[];
}

export interface TransmitOutcome {
  reader: string;
  protocol: 'T=0' | 'T=1' | 'none';
  /** What was typed first, then every automatic follow-up (61xx/6Cxx) as its own exchange. */
  exchanges: ExchangeView[];
  /** When follow-ups were folded in: their data joined with the last status word, decoded as one answer. */
  whole?: ExchangeView;
}

export interface ScriptOutcome extends ScriptRunResult {
  reader: string;
}

const readerArg = z.string().min(1).max(400);
const hexText = z.string().max(200_000);
const share = z.enum(['shared', 'exclusive', 'direct']);
const protocol = z.enum(['t0', 't1', 'any']);
const noArgs = z.object({}).strict();

export const readerChannels = {
  /** Every backend's status and every reader with its card state. */
  'readers.list': channel<ReaderList>()(noArgs),
  /** Capabilities: part 10 features, TLV/PIN properties, ATR decoded, card name, CCID descriptor, max APDU. */
  'readers.inspect': channel<ReaderInspection>()(z.object({ reader: readerArg }).strict()),
  /** Sends exactly the APDU typed; with followUps, also GET RESPONSE for 61xx and the re-send for 6Cxx. */
  'card.transmit': channel<TransmitOutcome>()(
    z
      .object({
        reader: readerArg,
        apdu: hexText,
        share: share.optional(),
        protocol: protocol.optional(),
        followUps: z.boolean().optional(),
      })
      .strict(),
  ),
  /** Drops the connection (leave the card as is); the next transmit connects again. */
  'card.disconnect': channel<{ reader: string }>()(z.object({ reader: readerArg }).strict()),
  /** Drops the connection resetting the card; the next transmit connects to a freshly reset card. */
  'card.reconnect': channel<{ reader: string }>()(z.object({ reader: readerArg }).strict()),
  'console.history': channel<HistoryEntry[]>()(
    z.object({ query: z.string().max(400).optional(), limit: z.number().int().min(1).max(1000).optional() }).strict(),
  ),
  'console.clearHistory': channel<{ cleared: true }>()(noArgs),
  'console.snippets': channel<Snippet[]>()(noArgs),
  'console.saveSnippet': channel<Snippet[]>()(
    z.object({ name: z.string().trim().min(1).max(120), apdu: hexText, note: z.string().max(1000).optional() }).strict(),
  ),
  'console.deleteSnippet': channel<Snippet[]>()(z.object({ name: z.string().min(1).max(120) }).strict()),
  /** Runs a script (scriptor format + `=> SW` / `# expect SW` assertions) with per-step results. */
  'console.runScript': channel<ScriptOutcome>()(
    z
      .object({
        reader: readerArg.optional(),
        script: z.string().max(2_000_000),
        share: share.optional(),
        protocol: protocol.optional(),
        followUps: z.boolean().optional(),
      })
      .strict(),
  ),
  /** This session's exchanges as JSON and text, PIN data masked. */
  'console.exportSession': channel<SessionExport>()(noArgs),
  /** Turns the built-in virtual reader on or off; remembered in settings. */
  'readers.setVirtualReader': channel<{ enabled: boolean }>()(z.object({ enabled: z.boolean() }).strict()),
} as const;

export interface ReaderEvents {
  /** Readers came or went, a card was inserted or removed, a backend (pcscd) stopped or started. */
  'readers.changed': ReaderList;
}

export const READER_EVENT_NAMES: readonly (keyof ReaderEvents)[] = ['readers.changed'];
