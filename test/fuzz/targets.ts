/**
 * Every parser that reads untrusted bytes, as a fuzz target. The contract under test is the one
 * ARCHITECTURE.md sets: decoders never throw on malformed input (they return problems), every
 * node they emit lies inside their input, what they keep is bounded by their input's size
 * (invariants.ts), and they never hang. The long-running fuzz script and the regression test
 * share this list.
 */
import { parseCaptureBytes } from '#core/capture/index.js';
import { decodeCcidMessage, decodeClassDescriptor } from '#core/ccid/index.js';
import { berTlvNodes } from '#core/tlv/ber-tlv.js';
import { decodeT1Block, parseAtr, parseCommandApdu, parseResponseApdu, T1Reassembler } from '#core/iso7816/index.js';
import {
  decodeFeatureList,
  decodePinModifyStructure,
  decodePinProperties,
  decodePinVerifyStructure,
  decodeTlvProperties,
} from '#core/pcsc/index.js';
import { parseBerTlv, parseCompactTlv } from '#core/tlv/index.js';
import { decodeTraceBytes } from '#core/trace/index.js';
import { KEPT_BYTES_PER_INPUT_BYTE, type DecodedTree, type FuzzObservation } from './invariants.js';

export interface FuzzTarget {
  name: string;
  /** Seeds come from real data where there is any (see seeds.ts). */
  seedKind: 'capture' | 'trace' | 'recording' | 'pcsc-spy' | 'ccid' | 'apdu' | 'response' | 'atr' | 't1' | 'tlv' | 'descriptor' | 'pcsc';
  run(input: Uint8Array): FuzzObservation;
}

/** Decoders are asked to place their nodes at a non-zero base, so an offset that forgets it shows. */
const BASE = 3;
const whole = (input: Uint8Array, node: DecodedTree['node'], base = 0): DecodedTree => ({ node, start: base, end: base + input.length });

export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  {
    name: 'capture',
    seedKind: 'capture',
    // A capture keeps copies of its CCID messages and a summary, no trees: ~7 bytes per input byte on
    // the real captures; 16 leaves room and still catches descriptor floods (22–25 bytes per byte before
    // descriptors were capped) and lengths that multiply.
    run: (b) => ({ trees: [], kept: parseCaptureBytes(b, { chunkSize: 1 + (b.length % 4096), keepPackets: false }), keptPerInputByte: 16 }),
  },
  {
    // The whole composition a `decode` runs: URBs → CCID → T=1 → APDU exchanges, events, transactions.
    name: 'trace',
    seedKind: 'trace',
    run: (b) => ({
      trees: [],
      kept: decodeTraceBytes(b, { chunkSize: 1 + (b.length % 4096) }),
      // Hex strings for exchanges and transactions: ~1 byte kept per input byte on the real captures.
      keptPerInputByte: 64,
      // Card events are capped by count (65,536 listed, the rest counted), not by the input's size.
      keptAllowance: 10 * 2 ** 20,
    }),
  },
  {
    // An exported-PDU recording (link type 252): tags, comments, commands paired with responses per interface.
    name: 'exported-pdu',
    seedKind: 'recording',
    run: (b) => ({ trees: [], kept: decodeTraceBytes(b, { chunkSize: 1 + (b.length % 4096) }), keptPerInputByte: 64 }),
  },
  {
    // A pcsc-spy log: lines (capped), calls per thread, arguments read per function. The input is made
    // a spy log whatever the mutation did to its first bytes, so every run reaches the spy reader.
    name: 'pcsc-spy',
    seedKind: 'pcsc-spy',
    run: (b) => {
      const input = new Uint8Array(b.length + 3);
      input.set([0x41, 0x40, 0x0a]); // "A@\n"
      input.set(b, 3);
      return { trees: [], kept: decodeTraceBytes(input, { chunkSize: 1 + (b.length % 4096) }), keptPerInputByte: 64 };
    },
  },
  {
    name: 'ccid-message',
    seedKind: 'ccid',
    run: (b) => {
      const message = decodeCcidMessage(b, { direction: b.length % 2 ? 'in' : 'out' });
      return { trees: [whole(b, message.node)], kept: message };
    },
  },
  {
    name: 'ccid-descriptor',
    seedKind: 'descriptor',
    run: (b) => {
      const descriptor = decodeClassDescriptor(b, BASE);
      return { trees: [whole(b, descriptor.node, BASE)], kept: descriptor };
    },
  },
  {
    name: 'command-apdu',
    seedKind: 'apdu',
    run: (b) => {
      const apdu = parseCommandApdu(b);
      return { trees: [whole(b, apdu.node)], kept: apdu };
    },
  },
  {
    name: 'response-apdu',
    seedKind: 'response',
    run: (b) => {
      const response = parseResponseApdu(b, { ins: 0xca, decodeTlv: true });
      return { trees: [whole(b, response.node)], kept: response };
    },
  },
  {
    name: 'atr',
    seedKind: 'atr',
    run: (b) => {
      const atr = parseAtr(b, BASE);
      return { trees: [whole(b, atr.node, BASE)], kept: atr };
    },
  },
  {
    name: 't1',
    seedKind: 't1',
    run: (b) => {
      const block = decodeT1Block(b, { edc: b.length % 2 ? 'crc' : 'lrc' });
      const reassembler = new T1Reassembler({});
      const events = [];
      for (let i = 0; i < b.length; i += 7) events.push(...reassembler.feedBytes(i % 2 ? 'to-card' : 'to-reader', b.subarray(i, i + 7)));
      return { trees: [whole(b, block.node)], kept: { block, events } };
    },
  },
  {
    name: 'ber-tlv',
    seedKind: 'tlv',
    run: (b) => {
      const tlv = parseBerTlv(b, { base: BASE });
      return { trees: [whole(b, berTlvNodes(tlv.objects), BASE)], kept: tlv };
    },
  },
  {
    name: 'compact-tlv',
    seedKind: 'tlv',
    run: (b) => {
      const tlv = parseCompactTlv(b, BASE);
      const inside = tlv.objects.map((o) => ({ id: `compact-tlv.${o.tag}`, label: '', offset: o.offset, length: 1 + o.value.length }));
      return { trees: [whole(b, inside, BASE)], kept: tlv };
    },
  },
  {
    name: 'pcsc-structures',
    seedKind: 'pcsc',
    run: (b) => {
      const decodes = {
        verify: decodePinVerifyStructure(b, BASE),
        modify: decodePinModifyStructure(b, BASE),
        features: decodeFeatureList(b, BASE),
        tlv: decodeTlvProperties(b, BASE),
        pin: decodePinProperties(b, BASE),
      };
      return {
        trees: [
          whole(b, decodes.verify.node, BASE),
          whole(b, decodes.modify.node, BASE),
          whole(b, decodes.features.nodes, BASE),
          whole(b, decodes.tlv.nodes, BASE),
          whole(b, decodes.pin.nodes, BASE),
        ],
        kept: decodes,
        // Five decoders read the same bytes, each with its own labelled tree.
        keptPerInputByte: 5 * KEPT_BYTES_PER_INPUT_BYTE,
      };
    },
  },
];
