/**
 * Readers and Console channels (PC/SC, built-in virtual reader, direct USB). Owned by the
 * Readers/Console work; merged into the contract by contract.ts.
 */

export const readerChannels = {} as const;

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- no reader events yet
export interface ReaderEvents {}

export const READER_EVENT_NAMES: readonly (keyof ReaderEvents)[] = [];
