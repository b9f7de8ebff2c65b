/**
 * The one contract between the renderer and the backend. The Electron preload, the browser-mode
 * WebSocket bridge and the test fake all implement `Api`; the backend validates every argument
 * against the channel's schema before a handler sees it.
 *
 * Adding a channel is one entry in `channels` or in its domain's file under channels/ (and its
 * handler in the backend, which the type checker then demands).
 */
import { z } from 'zod';
import type { AppInfo } from './app-info.js';
import { appChannels } from './channels/app.js';
import { CAPTURE_EVENT_NAMES, captureChannels, type CaptureEvents } from './channels/captures.js';
import { COMPARE_EVENT_NAMES, compareChannels, type CompareEvents } from './channels/compare.js';
import { channel } from './channels/define.js';
import { PINPAD_EVENT_NAMES, pinpadChannels, type PinpadEvents } from './channels/pinpad.js';
import { READER_EVENT_NAMES, readerChannels, type ReaderEvents } from './channels/readers.js';
import { RECORD_EVENT_NAMES, recordChannels, type RecordEvents } from './channels/record.js';

export type { ChannelSpec } from './channels/define.js';

/** Channels without arguments take an empty object, so every call has the same shape. */
const noArgs = z.object({}).strict();

export const channels = {
  'app.info': channel<AppInfo>()(noArgs),
  ...appChannels,
  ...readerChannels,
  ...captureChannels,
  ...compareChannels,
  ...pinpadChannels,
  ...recordChannels,
} as const;

/** Main → renderer events: name → payload schema (validated by the fake and the web bridge tests). */
export interface EventMap extends ReaderEvents, CaptureEvents, CompareEvents, PinpadEvents, RecordEvents {
  /** A backend became available or unavailable (pcscd started/stopped, USB appeared). */
  'app.backendsChanged': AppInfo['backends'];
}

export type ChannelName = keyof typeof channels;
export type EventName = keyof EventMap;
export type ArgsOf<C extends ChannelName> = z.input<(typeof channels)[C]['args']>;
export type ParsedArgsOf<C extends ChannelName> = z.output<(typeof channels)[C]['args']>;
export type ResultOf<C extends ChannelName> = NonNullable<(typeof channels)[C]['result']>;

/** What the renderer holds: the whole contract, nothing else. */
export interface Api {
  invoke<C extends ChannelName>(channel: C, args: ArgsOf<C>): Promise<ResultOf<C>>;
  /** Subscribes to an event; returns the function that unsubscribes. */
  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void;
}

export const CHANNEL_NAMES = Object.keys(channels) as ChannelName[];
export const EVENT_NAMES: readonly EventName[] = [
  'app.backendsChanged',
  ...READER_EVENT_NAMES,
  ...CAPTURE_EVENT_NAMES,
  ...COMPARE_EVENT_NAMES,
  ...PINPAD_EVENT_NAMES,
  ...RECORD_EVENT_NAMES,
];

export function isChannelName(value: unknown): value is ChannelName {
  return typeof value === 'string' && Object.hasOwn(channels, value);
}

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && (EVENT_NAMES as readonly string[]).includes(value);
}
