/**
 * The contract between a virtual card and whatever carries its APDUs (the vpcd client, the virtual CCID reader).
 * Kept deliberately tiny and stable: a reader only needs the ATR on reset and one APDU exchange at a time.
 */
export type CardProtocol = 'T=0' | 'T=1';

export interface SmartCard {
  readonly protocol: CardProtocol;
  /** Cold/warm reset: returns the ATR and resets volatile state (selected app, verified PINs). */
  reset(): Uint8Array;
  /** One command APDU in, one response APDU (data + SW1 SW2) out, exactly as the card answers at the APDU level
   *  for its protocol: under T=0 long answers come as 61xx (GET RESPONSE follows) and a wrong Le gets 6Cxx; under T=1
   *  extended length works directly. Never throws on garbage: answers an ISO error SW (6700, 6D00, 6E00…). */
  transmit(apdu: Uint8Array): Uint8Array;
}
