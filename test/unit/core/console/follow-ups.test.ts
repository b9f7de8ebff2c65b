import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '#core/bytes/hex.js';
import { followUpFor } from '#core/console/follow-ups.js';
import { SelectedApplications } from '#core/apps/selected-applications.js';
import { transmitApdu, transmitWithFollowUps } from '#core/console/transmit-sequence.js';
import { VirtualSmartCard } from '#core/sim/card/virtual-smart-card.js';

describe('followUpFor', () => {
  it('61xx → GET RESPONSE with that length, keeping the logical channel', () => {
    expect(toHex(followUpFor(fromHex('00A4040006D27600012401'), fromHex('6115'))!.apdu)).toBe('00C0000015');
    expect(toHex(followUpFor(fromHex('01A4040006D27600012401'), fromHex('6100'))!.apdu)).toBe('01C0000000');
  });

  it('6Cxx → the same command with Le = xx', () => {
    expect(toHex(followUpFor(fromHex('00CA006E00'), fromHex('6C1A'))!.apdu)).toBe('00CA006E1A');
    expect(toHex(followUpFor(fromHex('00CA006E'), fromHex('6C05'))!.apdu)).toBe('00CA006E05');
  });

  it('nothing to do for other status words', () => {
    expect(followUpFor(fromHex('00A40400'), fromHex('9000'))).toBeUndefined();
    expect(followUpFor(fromHex('00A40400'), fromHex('01029000'))).toBeUndefined();
    expect(followUpFor(fromHex('00A40400'), fromHex('90'))).toBeUndefined();
  });

  it('61xx that comes with data still has bytes waiting: GET RESPONSE for them (the status line says so)', () => {
    // The virtual card, GET DATA 6E with Le 5: five bytes, then 61DF for the 223 left.
    expect(toHex(followUpFor(fromHex('00CA006E05'), fromHex('6E81E14F1061DF'))!.apdu)).toBe('00C00000DF');
    expect(toHex(followUpFor(fromHex('00CA006E05'), fromHex('01026C05'))!.apdu)).toBe('00CA006E05');
  });
});

describe('transmitWithFollowUps', () => {
  const card = (answers: string[]) => {
    const sent: string[] = [];
    return {
      sent,
      send: (apdu: Uint8Array) => {
        sent.push(toHex(apdu));
        return Promise.resolve({ response: fromHex(answers.shift() ?? '6F00'), ms: 1 });
      },
    };
  };

  it('sends exactly what was typed when follow-ups are off', async () => {
    const c = card(['6110']);
    const views = await transmitWithFollowUps(c.send, fromHex('00A40400022F01'), false);
    expect(c.sent).toEqual(['00A40400022F01']);
    expect(views).toHaveLength(1);
    expect(views[0]).toMatchObject({ sw: '6110', category: 'more-data', automatic: false });
  });

  it('shows every automatic exchange, each marked with its reason', async () => {
    const c = card(['6104', '6C02', '01029000']);
    const views = await transmitWithFollowUps(c.send, fromHex('00A40400022F01'), true);
    expect(c.sent).toEqual(['00A40400022F01', '00C0000004', '00C0000002']);
    expect(views.map((v) => v.automatic)).toEqual([false, true, true]);
    expect(views[2]).toMatchObject({ data: '0102', sw: '9000', reason: expect.stringMatching(/Le=02/) });
  });

  it('stops a card that answers 61xx for ever', async () => {
    const send = () => Promise.resolve({ response: fromHex('6101'), ms: 0 });
    expect((await transmitWithFollowUps(send, fromHex('00C0000001'), true)).length).toBe(65);
  });

  it('61xx with data (the virtual card, GET DATA 6E with Le 5): follows up and assembles the whole answer', async () => {
    const virtual = new VirtualSmartCard();
    virtual.reset();
    const sent: string[] = [];
    const send = (apdu: Uint8Array) => {
      sent.push(toHex(apdu));
      return Promise.resolve({ response: virtual.transmit(apdu), ms: 1 });
    };
    const selected = new SelectedApplications();
    await transmitApdu(send, fromHex('00A4040006D27600012401'), { followUps: true, selected });
    const result = await transmitApdu(send, fromHex('00CA006E05'), { followUps: true, selected });
    expect(sent.slice(1)).toEqual(['00CA006E05', '00C00000DF']);
    expect(result.exchanges.map((e) => [e.sw, e.data.length / 2, e.automatic])).toEqual([
      ['61DF', 5, false],
      ['9000', 223, true],
    ]);
    expect(result.whole).toMatchObject({
      sw: '9000',
      meaning: 'Success',
      assembledFrom: 2,
      command: '00CA006E05',
      automatic: false,
      ms: 2,
    });
    expect(result.whole!.data).toBe(result.exchanges[0]!.data + result.exchanges[1]!.data);
    // The assembled data is one 6E template named from OpenPGP's dictionary; the parts alone are not.
    const top = result.whole!.tlv?.[0];
    expect(top?.label).toMatch(/^6E Application related data/);
    expect(JSON.stringify(result.whole!.tlv)).toContain('C4 PW status bytes');
  });

  it('no whole answer when nothing was folded in (one exchange, or follow-ups off)', async () => {
    expect((await transmitApdu(card(['6E034F01AA9000']).send, fromHex('00CA006E00'), { followUps: true })).whole).toBeUndefined();
    const off = await transmitApdu(card(['6E81E14F1061DF']).send, fromHex('00CA006E05'), { followUps: false });
    expect(off.exchanges).toHaveLength(1);
    expect(off.whole).toBeUndefined();
  });

  it('6Cxx: the whole answer is the re-sent command and its data, with the final status word', async () => {
    const c = card(['6C04', '010203049000']);
    const result = await transmitApdu(c.send, fromHex('00B0000000'), { followUps: true });
    expect(result.whole).toMatchObject({ command: '00B0000000', data: '01020304', sw: '9000', assembledFrom: 2 });
  });
});
