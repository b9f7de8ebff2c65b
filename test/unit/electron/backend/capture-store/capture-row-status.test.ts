/**
 * The message list and the detail tree read a status word as the Console and the conversation
 * do: on the labcard capture a VERIFY without data (it only asks for the try counter) answered
 * 63C3 is "PIN not verified yet", while a VERIFY with a PIN answered 63C2 is "Wrong PIN". The rows
 * used to know only the INS and called both "Wrong PIN"; on this T=0 TPDU reader the answer rows
 * said nothing of their status word at all.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fromHex } from '#core/bytes/hex.js';
import { exchangeView } from '#core/console/exchange-view.js';
import type { CaptureNode } from '#core/ipc/channels/captures.js';
import { CaptureStore } from '../../../../../electron/backend/capture-store/capture-store.js';
import { requireShared, sharedPath } from '../../../../shared-path.js';

const LABCARD = ['captures', 'usbmon-qemu-labcard', 'labcard-basic.usbmon.pcapng'];
const missing = requireShared(...LABCARD);

let store: CaptureStore | undefined;
afterEach(async () => {
  await store?.closeAll();
});

describe.skipIf(missing !== undefined)('status words in the message list and the detail tree', () => {
  it('every VERIFY answer row says what the Console says for that exchange', async () => {
    store = new CaptureStore();
    const session = await store.open(sharedPath(...LABCARD));
    await session.finished;
    const verifies = session.exchangesIn(undefined).filter((e) => e.command.startsWith('002000'));
    expect(verifies.map((e) => `${e.command.length > 8 ? 'with PIN' : 'no data'} ${e.sw}`)).toEqual([
      'no data 63C3',
      'with PIN 63C2',
      'with PIN 63C1',
      'with PIN 9000',
      'no data 9000',
    ]);
    const { rows } = session.rows(0, session.status().rows, undefined);
    for (const exchange of verifies) {
      const meaning = exchangeView(fromHex(exchange.command), fromHex(exchange.response), 0).meaning;
      const answer = rows.find((row) => row.frame === exchange.responseFrame)!;
      // A T=0 TPDU reader: the DataBlock's abData ends with SW1 SW2, and the row says what they mean.
      expect(answer.summary).toMatch(new RegExp(`^RDR_to_PC_DataBlock .*: ${exchange.sw} ${meaning.replace(/[()]/g, '\\$&')}$`));
      const sw = session
        .detail(answer.row)!
        .tree.flatMap(function all(node): CaptureNode[] {
          return [node, ...(node.children ?? []).flatMap(all)];
        })
        .find((node) => node.id === 'iso7816.sw')!;
      expect(sw.label).toBe(`SW1 SW2: ${exchange.sw} (${meaning}), ending the APDU exchange`);
      // The field lies on the last two bytes of the message.
      expect(sw.offset + sw.length).toBe(session.bytes(answer.row).length);
    }
    const counterAnswer = rows.find((row) => row.frame === verifies[0]!.responseFrame)!;
    expect(counterAnswer.summary).toMatch(/: 63C3 PIN not verified yet: 3 tries left$/);
    expect(rows.find((row) => row.frame === verifies[1]!.responseFrame)!.summary).toMatch(/: 63C2 Wrong PIN: 2 tries left$/);
  });
});
