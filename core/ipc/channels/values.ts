/**
 * The contract's plain values that the renderer uses at run time. They live apart from the
 * channel modules because those build zod schemas at load time: importing one constant from
 * them would bundle zod (~300 kB) into the renderer, which never validates anything itself.
 */

/** Rows or transactions one captures call may ask for. */
export const MAX_CAPTURE_WINDOW = 500;

/** Series of the captures timing plot, by code. */
export const TIMING_KINDS = ['apdu', 'apdu-error', 'pin'] as const;
export type TimingKind = (typeof TIMING_KINDS)[number];

/** Most pixel columns one timing request may ask for. */
export const MAX_TIMING_COLUMNS = 4096;

export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];
