/** Captures workbench channels (open, rows, detail, export). Merged into the contract by contract.ts. */

export const captureChannels = {} as const;

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- no capture events yet
export interface CaptureEvents {}

export const CAPTURE_EVENT_NAMES: readonly (keyof CaptureEvents)[] = [];
