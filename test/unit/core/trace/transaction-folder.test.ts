/**
 * TransactionFolder takes a shortcut for the common exchange that nothing continues (no 61xx,
 * 9Fxx or 6Cxx before or in it, not a GET RESPONSE) and remembers INS names and status
 * meanings; OrderedTransactions hands transactions out as soon as their order is certain. All
 * of it must give exactly what folding every run with core/iso7816's foldTransactions and naming
 * it afresh gives (the rule as first written, kept here as the reference), on any sequence of
 * exchanges fast-check makes up over several interleaved card conversations.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SelectedApplications } from '#core/apps/selected-applications.js';
import { byteHex, fromHex, toHex } from '#core/bytes/hex.js';
import { insName } from '#core/iso7816/ins.js';
import { describeAnswerStatus } from '#core/iso7816/status-words.js';
import { foldTransactions, type ApduExchange } from '#core/iso7816/transactions.js';
import { OrderedTransactions, TransactionFolder, type TraceExchange, type TraceTransaction } from '#core/trace/index.js';

/** The folding rule without shortcut or memory: every run folded by foldTransactions, named afresh. */
function referenceFold(exchanges: { exchange: TraceExchange; command: Uint8Array; response: Uint8Array }[]): TraceTransaction[] {
  const out: TraceTransaction[] = [];
  const conversations = new Map<string, { list: TraceExchange[]; apdus: ApduExchange[]; selected: SelectedApplications }>();
  const fold = (c: { list: TraceExchange[]; apdus: ApduExchange[]; selected: SelectedApplications }) => {
    for (const folded of foldTransactions(c.apdus)) {
      const first = c.list[folded.exchanges[0]!]!;
      const last = c.list[folded.exchanges[folded.exchanges.length - 1]!]!;
      const [cla, ins] = folded.command;
      const name = cla !== undefined && ins !== undefined ? (insName(cla, ins, c.selected.contextFor(cla)) ?? null) : null;
      const hasSw = folded.sw1 !== undefined && folded.sw2 !== undefined;
      c.selected.observe(folded.command, folded.sw1);
      out.push({
        exchanges: folded.exchanges.map((i) => c.list[i]!.index),
        device: first.device,
        slot: first.slot,
        command: first.command,
        name,
        dataLength: folded.data.length,
        sw: hasSw ? byteHex(folded.sw1!) + byteHex(folded.sw2!) : null,
        meaning: hasSw ? describeAnswerStatus(folded.command, folded.sw1!, folded.sw2!).meaning : null,
        durationMs: Math.round((last.timeMs + last.durationMs - first.timeMs) * 1000) / 1000,
        folded: folded.folded,
        problems: folded.problems.map((p) => ({ code: p.code, message: p.message, severity: p.severity })),
      });
    }
    c.list = [];
    c.apdus = [];
  };
  for (const { exchange, command, response } of exchanges) {
    const key = `${exchange.device}/${exchange.slot}`;
    let c = conversations.get(key);
    if (!c) conversations.set(key, (c = { list: [], apdus: [], selected: new SelectedApplications() }));
    c.list.push(exchange);
    c.apdus.push({ command, response });
    const sw1 = response.length >= 2 ? response[response.length - 2] : undefined;
    if (sw1 !== 0x61 && sw1 !== 0x9f && sw1 !== 0x6c) fold(c);
  }
  for (const c of conversations.values()) fold(c);
  return out.sort((a, b) => a.exchanges[0]! - b.exchanges[0]!);
}

const COMMANDS = [
  '00A4040007A0000000041010', // SELECT Mastercard (EMV context)
  '00A4040006D27600012401', // SELECT OpenPGP
  '00A40000023F00', // SELECT MF (forgets the context)
  '80A8000002830000', // GET PROCESSING OPTIONS
  '00B2010C00', // READ RECORD
  '00C0000010', // GET RESPONSE
  '00C000000A',
  '0020008106313233343536', // VERIFY with data
  '00200081', // VERIFY without data (case 1)
  '00CA006E00', // GET DATA
  '80CA9F1700',
  '84',
  '',
];
const SWS = ['9000', '6110', '6100', '6C10', '9F08', '6A82', '63C2', '6283', '6E00', '', '90'];

const exchangeArbitrary = fc.record({
  conversation: fc.integer({ min: 0, max: 2 }),
  command: fc.constantFrom(...COMMANDS),
  data: fc.constantFrom('', '6F10840EA0000000041010', '0102030405060708'),
  sw: fc.constantFrom(...SWS),
  durationNs: fc.integer({ min: 0, max: 5_000_000 }),
});

type Drawn = { conversation: number; command: string; data: string; sw: string; durationNs: number };

/** Folds the drawn exchanges with the folder, through OrderedTransactions, and by the reference rule. */
function expectSameAsReference(drawn: readonly Drawn[]): TraceTransaction[] {
  let timeNs = 0;
  const exchanges = drawn.map((d, i) => {
    timeNs += 1_000_000 + d.durationNs;
    const command = fromHex(d.command);
    const response = fromHex(d.data + d.sw);
    const exchange: TraceExchange = {
      index: i + 1,
      device: d.conversation === 2 ? '1.5' : '1.4',
      slot: d.conversation === 1 ? 1 : 0,
      command: toHex(command),
      response: toHex(response),
      sw: null,
      commandFrame: 2 * i + 1,
      responseFrame: 2 * i + 2,
      timeMs: Math.round(timeNs / 1000) / 1000,
      durationMs: Math.round(d.durationNs / 1000) / 1000,
      truncated: false,
    };
    return { exchange, command, response };
  });
  const expected = referenceFold(exchanges);

  const folder = new TransactionFolder();
  for (const e of exchanges) folder.add(e.exchange, e.command, e.response);
  expect(folder.finish()).toEqual(expected);

  const ordered = new OrderedTransactions();
  const handedOut: TraceTransaction[] = [];
  for (const e of exchanges) handedOut.push(...ordered.add(e.exchange, e.command, e.response));
  handedOut.push(...ordered.finish());
  expect(handedOut).toEqual(expected);
  return expected;
}

describe('TransactionFolder and OrderedTransactions', () => {
  it('fold any interleaving of conversations as the reference rule does, in capture order', () => {
    fc.assert(
      fc.property(fc.array(exchangeArbitrary, { maxLength: 60 }), (drawn) => void expectSameAsReference(drawn)),
      {
        numRuns: 400,
      },
    );
  });

  it('read a status word for the command it answers, also when the same word answered another just before', () => {
    const verify = (command: string, sw: string): Drawn => ({ conversation: 0, command, data: '', sw, durationNs: 1000 });
    const folded = expectSameAsReference([
      verify('00200081', '63C2'),
      verify('0020008106313233343536', '63C2'),
      verify('00200081', '63C2'),
      verify('00A4040007A0000000041010', '6A82'),
    ]);
    expect(folded.map((t) => t.meaning)).toEqual([
      'PIN not verified yet: 2 tries left',
      'Wrong PIN: 2 tries left',
      'PIN not verified yet: 2 tries left',
      expect.stringMatching(/not found/i),
    ]);
  });
});
