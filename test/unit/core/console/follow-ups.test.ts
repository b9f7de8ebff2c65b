import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '#core/bytes/hex.js';
import { followUpFor } from '#core/console/follow-ups.js';
import { transmitWithFollowUps } from '#core/console/transmit-sequence.js';

describe('followUpFor', () => {
  it('61xx → GET RESPONSE with that length, keeping the logical channel', () => {
    expect(toHex(followUpFor(fromHex('00A4040006D27600012401'), fromHex('6115'))!.apdu)).toBe('00C0000015');
    expect(toHex(followUpFor(fromHex('01A4040006D27600012401'), fromHex('6100'))!.apdu)).toBe('01C0000000');
  });

  it('6Cxx → the same command with Le = xx', () => {
    expect(toHex(followUpFor(fromHex('00CA006E00'), fromHex('6C1A'))!.apdu)).toBe('00CA006E1A');
    expect(toHex(followUpFor(fromHex('00CA006E'), fromHex('6C05'))!.apdu)).toBe('00CA006E05');
  });

  it('nothing to do for other status words or an answer with data', () => {
    expect(followUpFor(fromHex('00A40400'), fromHex('9000'))).toBeUndefined();
    expect(followUpFor(fromHex('00A40400'), fromHex('01026110'))).toBeUndefined();
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
});
