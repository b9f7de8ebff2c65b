/**
 * How long a command APDU can be (ISO 7816-3 §12.1.3, ISO 7816-4 §5.1): the one home of these
 * numbers. Parsers, input checks, the CCID layer and the simulators size their limits from here.
 */

/** Nc: data bytes of a short APDU (Lc 01..FF). */
export const MAX_SHORT_NC = 255;
/** Ne: response bytes a short APDU can ask for (Le 00 means 256). */
export const MAX_SHORT_NE = 256;
/** Nc: data bytes of an extended APDU (Lc 0001..FFFF). */
export const MAX_EXTENDED_NC = 65535;
/** Ne: response bytes an extended APDU can ask for (Le 0000 means 65536). */
export const MAX_EXTENDED_NE = 65536;

/** The longest command APDU, case 4E: 4 header bytes + 3 (00 Lc Lc) + 65535 data bytes + 2 (Le Le) = 65544. */
export const MAX_EXTENDED_APDU_LENGTH = 4 + 3 + MAX_EXTENDED_NC + 2;
