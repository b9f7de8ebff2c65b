/**
 * The capture's script export on a real capture (labcard: 33 APDUs with 61xx chains, 6Cxx,
 * VERIFY 63C3→63C2→63C1→9000): it is written by the Console's own script module, so the Script
 * panel reads back every APDU with the status word the card gave as its expectation, and each
 * status word is explained by the same words the conversation view and the Console use.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fromHex } from '#core/bytes/hex.js';
import { exchangeView } from '#core/console/exchange-view.js';
import { parseScript } from '#core/console/script.js';
import { exportCapture } from '../../../../../electron/backend/capture-store/capture-export.js';
import { CaptureStore } from '../../../../../electron/backend/capture-store/capture-store.js';
import { requireShared, sharedPath } from '../../../../shared-path.js';

const LABCARD = ['captures', 'usbmon-qemu-labcard', 'labcard-basic.usbmon.pcapng'];
const missing = requireShared(...LABCARD);

let store: CaptureStore | undefined;
afterEach(async () => {
  await store?.closeAll();
});

async function labcard() {
  store = new CaptureStore();
  const session = await store.open(sharedPath(...LABCARD));
  await session.finished;
  return session;
}

describe.skipIf(missing !== undefined)('capture script export', () => {
  it('reads back as a test: every captured APDU, in order, expecting the status word the card gave', async () => {
    const session = await labcard();
    const exchanges = session.exchangesIn(undefined);
    const script = exportCapture(session, { format: 'script', redactPins: false }).text;
    const parsed = parseScript(script);
    expect(parsed.problems).toEqual([]);
    const steps = parsed.steps.filter((s) => s.kind === 'apdu');
    expect(steps).toHaveLength(exchanges.length);
    steps.forEach((step, i) => {
      expect(step.kind === 'apdu' && Buffer.from(step.apdu).toString('hex').toUpperCase()).toBe(exchanges[i]!.command);
      expect(step.kind === 'apdu' && step.expect).toEqual([exchanges[i]!.sw]);
    });
  });

  it('redacted: a PIN command stays out (commented), its expectation does not land on another APDU', async () => {
    const session = await labcard();
    const script = exportCapture(session, { format: 'script', redactPins: true }).text;
    const parsed = parseScript(script);
    expect(parsed.problems).toEqual([]);
    const sent = parsed.steps.flatMap((s) => (s.kind === 'apdu' ? [Buffer.from(s.apdu).toString('hex').toUpperCase()] : []));
    // The three VERIFY with a PIN are not replayed; VERIFY without data (asks the counter) is.
    expect(sent.filter((apdu) => apdu.startsWith('002000'))).toEqual(['00200081', '00200081']);
    expect(sent).toHaveLength(session.exchangesIn(undefined).length - 3);
    const byApdu = new Map<string, string[] | undefined>();
    for (const s of parsed.steps) if (s.kind === 'apdu') byApdu.set(Buffer.from(s.apdu).toString('hex').toUpperCase(), s.expect);
    // The SW of the redacted VERIFY (63C2, 63C1, 9000) does not become the expectation of the APDU before it.
    const exchanges = session.exchangesIn(undefined);
    for (const s of parsed.steps) {
      if (s.kind !== 'apdu') continue;
      const hex = Buffer.from(s.apdu).toString('hex').toUpperCase();
      expect(exchanges.some((e) => e.command === hex && e.sw === s.expect?.[0])).toBe(true);
    }
    expect(byApdu.size).toBeGreaterThan(0);
  });

  it('explains every status word as the conversation view and the Console do (case-1 VERIFY 63C3: not verified yet)', async () => {
    const session = await labcard();
    const exchanges = session.exchangesIn(undefined);
    const script = exportCapture(session, { format: 'script', redactPins: false }).text;
    const notes = script.split('\n').filter((line) => /^# expect /.test(line));
    expect(notes).toHaveLength(exchanges.length);
    const transactions = session.transactionsFor(exchanges);
    exchanges.forEach((exchange, i) => {
      const consoleMeaning = exchangeView(fromHex(exchange.command), fromHex(exchange.response), 0).meaning;
      expect(notes[i]).toBe(`# expect ${exchange.sw} (${consoleMeaning})`);
      // A transaction of one exchange is shown in the conversation with that exchange's status word.
      const alone = transactions.find((t) => t.exchanges.length === 1 && t.exchanges[0] === exchange.index);
      if (alone) expect(alone.meaning).toBe(consoleMeaning);
    });
    const verify = exchanges.findIndex((e) => e.command === '00200081');
    expect(notes[verify]).toBe('# expect 63C3 (PIN not verified yet: 3 tries left)');
  });
});
