/**
 * Every parser that reads untrusted bytes, as a fuzz target. The contract under test is the one
 * ARCHITECTURE.md sets: decoders never throw on malformed input (they return problems), and they
 * never hang. The long-running fuzz script and the regression test share this list.
 */
import { parseCaptureBytes } from '../../core/capture/index.js';
import { decodeCcidMessage, decodeClassDescriptor } from '../../core/ccid/index.js';
import { decodeT1Block, parseAtr, parseCommandApdu, parseResponseApdu, T1Reassembler } from '../../core/iso7816/index.js';
import {
  decodeFeatureList,
  decodePinModifyStructure,
  decodePinProperties,
  decodePinVerifyStructure,
  decodeTlvProperties,
} from '../../core/pcsc/index.js';
import { parseBerTlv, parseCompactTlv } from '../../core/tlv/index.js';

export interface FuzzTarget {
  name: string;
  /** Seeds come from real data where there is any (see seeds.ts). */
  seedKind: 'capture' | 'ccid' | 'apdu' | 'response' | 'atr' | 't1' | 'tlv' | 'descriptor' | 'pcsc';
  run(input: Uint8Array): void;
}

export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  { name: 'capture', seedKind: 'capture', run: (b) => void parseCaptureBytes(b, { chunkSize: 1 + (b.length % 4096), keepPackets: false }) },
  { name: 'ccid-message', seedKind: 'ccid', run: (b) => void decodeCcidMessage(b, { direction: b.length % 2 ? 'in' : 'out' }) },
  { name: 'ccid-descriptor', seedKind: 'descriptor', run: (b) => void decodeClassDescriptor(b) },
  { name: 'command-apdu', seedKind: 'apdu', run: (b) => void parseCommandApdu(b) },
  { name: 'response-apdu', seedKind: 'response', run: (b) => void parseResponseApdu(b, { ins: 0xca, decodeTlv: true }) },
  { name: 'atr', seedKind: 'atr', run: (b) => void parseAtr(b) },
  {
    name: 't1',
    seedKind: 't1',
    run: (b) => {
      decodeT1Block(b, { edc: b.length % 2 ? 'crc' : 'lrc' });
      const reassembler = new T1Reassembler({});
      for (let i = 0; i < b.length; i += 7) reassembler.feedBytes(i % 2 ? 'to-card' : 'to-reader', b.subarray(i, i + 7));
    },
  },
  { name: 'ber-tlv', seedKind: 'tlv', run: (b) => void parseBerTlv(b) },
  { name: 'compact-tlv', seedKind: 'tlv', run: (b) => void parseCompactTlv(b) },
  {
    name: 'pcsc-structures',
    seedKind: 'pcsc',
    run: (b) => {
      decodePinVerifyStructure(b);
      decodePinModifyStructure(b);
      decodeFeatureList(b);
      decodeTlvProperties(b);
      decodePinProperties(b);
    },
  },
];
