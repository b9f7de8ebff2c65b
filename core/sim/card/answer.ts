/** What an application answers before the transport (T=0 or T=1) shapes it into response APDU bytes. */
export interface Answer {
  data: Uint8Array;
  sw: number;
}

const NO_DATA = new Uint8Array(0);

export const SW = {
  OK: 0x9000,
  END_OF_FILE: 0x6282,
  WRONG_LENGTH: 0x6700,
  LOGICAL_CHANNEL_NOT_SUPPORTED: 0x6881,
  SECURE_MESSAGING_NOT_SUPPORTED: 0x6882,
  CHAINING_NOT_SUPPORTED: 0x6884,
  SECURITY_STATUS_NOT_SATISFIED: 0x6982,
  AUTHENTICATION_BLOCKED: 0x6983,
  CONDITIONS_NOT_SATISFIED: 0x6985,
  NO_CURRENT_EF: 0x6986,
  WRONG_DATA: 0x6a80,
  FILE_NOT_FOUND: 0x6a82,
  NOT_ENOUGH_MEMORY: 0x6a84,
  WRONG_P1P2: 0x6a86,
  REFERENCED_DATA_NOT_FOUND: 0x6a88,
  WRONG_OFFSET: 0x6b00,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
  NO_PRECISE_DIAGNOSIS: 0x6f00,
} as const;

export function status(sw: number): Answer {
  return { data: NO_DATA, sw };
}

export function dataAnswer(data: Uint8Array, sw: number = SW.OK): Answer {
  return { data, sw };
}

/** 63Cx: x tries left (ISO 7816-4 counter). */
export function triesLeft(count: number): Answer {
  return status(0x63c0 | (count & 0x0f));
}

/** The response APDU bytes: data then SW1 SW2. */
export function responseBytes(data: Uint8Array, sw: number): Uint8Array {
  const out = new Uint8Array(data.length + 2);
  out.set(data, 0);
  out[data.length] = (sw >> 8) & 0xff;
  out[data.length + 1] = sw & 0xff;
  return out;
}
