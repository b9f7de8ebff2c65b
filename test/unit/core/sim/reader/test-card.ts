/**
 * A tiny SmartCard for the reader's tests (independent of the real virtual card): SELECT → 9000,
 * VERIFY checks the PIN data against an expected byte string (63Cx with a retry counter),
 * CHANGE REFERENCE DATA and an echo command record what they got, GET DATA returns N bytes.
 * Every command APDU is recorded so tests can check exactly what the reader sent.
 */
import type { CardProtocol, SmartCard } from '#core/sim/card/virtual-card.js';

const HISTORICAL = [0x43, 0x41, 0x52, 0x44, 0x42, 0x45, 0x4e, 0x43, 0x48, 0x31]; // "CARDBENCH1"

function withTck(bytes: number[]): Uint8Array {
  const tck = bytes.slice(1).reduce((x, b) => x ^ b, 0);
  return Uint8Array.from([...bytes, tck]);
}

/** T=1: 3B 8A 81 31 FE 45 + historical + TCK (IFSC 254, BWI 4, CWI 5, no TA1). T=0: 3B 0A + historical. */
export function testAtr(protocol: CardProtocol): Uint8Array {
  return protocol === 'T=1' ? withTck([0x3b, 0x8a, 0x81, 0x31, 0xfe, 0x45, ...HISTORICAL]) : Uint8Array.from([0x3b, 0x0a, ...HISTORICAL]);
}

export interface TestCardOptions {
  /** VERIFY data that is accepted (default ASCII "123456" padded with FF to 8 bytes). */
  acceptedPinData?: Uint8Array;
  retries?: number;
}

const ASCII_123456_FF = Uint8Array.from([0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0xff, 0xff]);

/** Short or extended (00 Lc1 Lc2) command data. */
function commandData(apdu: Uint8Array): Uint8Array {
  if (apdu.length <= 5) return new Uint8Array(0);
  if (apdu[4] === 0 && apdu.length > 7) return apdu.subarray(7, 7 + ((apdu[5]! << 8) | apdu[6]!));
  return apdu.subarray(5, 5 + apdu[4]!);
}

export class TestCard implements SmartCard {
  readonly received: Uint8Array[] = [];
  resets = 0;
  private retries: number;
  private readonly accepted: Uint8Array;

  constructor(
    readonly protocol: CardProtocol,
    options: TestCardOptions = {},
  ) {
    this.retries = options.retries ?? 3;
    this.accepted = options.acceptedPinData ?? ASCII_123456_FF;
  }

  get lastApdu(): Uint8Array | undefined {
    return this.received[this.received.length - 1];
  }

  reset(): Uint8Array {
    this.resets++;
    return testAtr(this.protocol);
  }

  transmit(apdu: Uint8Array): Uint8Array {
    this.received.push(Uint8Array.from(apdu));
    const ins = apdu[1];
    const data = commandData(apdu);
    switch (ins) {
      case 0xa4:
        return Uint8Array.of(0x90, 0x00);
      case 0x20:
        if (data.length === 0) return Uint8Array.of(0x63, 0xc0 | this.retries);
        if (data.length === this.accepted.length && data.every((b, i) => b === this.accepted[i])) {
          this.retries = 3;
          return Uint8Array.of(0x90, 0x00);
        }
        this.retries = Math.max(0, this.retries - 1);
        return Uint8Array.of(0x63, 0xc0 | this.retries);
      case 0x24:
        return Uint8Array.of(0x90, 0x00);
      case 0xee: // echo: data back
        return Uint8Array.from([...data, 0x90, 0x00]);
      case 0xca: {
        // GET DATA: P2 bytes (or 300 for P2 = 0) of a counting pattern
        const n = apdu[3] === 0 ? 300 : apdu[3]!;
        return Uint8Array.from([...Array.from({ length: n }, (_, i) => i & 0xff), 0x90, 0x00]);
      }
      default:
        return Uint8Array.of(0x6d, 0x00);
    }
  }
}
