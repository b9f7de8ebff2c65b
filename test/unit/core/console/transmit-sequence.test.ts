import { describe, expect, it } from 'vitest';
import { fromHex } from '#core/bytes/hex.js';
import { transmitWithFollowUps, type SendApdu } from '#core/console/transmit-sequence.js';
import { SelectedApplications } from '#core/apps/selected-applications.js';

/** A scripted card: answers by command prefix. */
function card(answers: Record<string, string>): SendApdu {
  return async (apdu) => {
    const hex = Buffer.from(apdu).toString('hex').toUpperCase();
    const key = Object.keys(answers).find((prefix) => hex.startsWith(prefix));
    return { response: fromHex(key ? answers[key]! : '6D00'), ms: 0.1 };
  };
}

describe('transmitWithFollowUps naming', () => {
  it('names the tags of the answer (BER-TLV tree labels)', async () => {
    const send = card({ '00CA006E': '6E084F06D27600012401' + '9000' });
    const [view] = await transmitWithFollowUps(send, fromHex('00CA006E00'), false);
    expect(view!.tlv?.[0]?.label).toMatch(/^6E Application related data/);
    expect(view!.tlv?.[0]?.children?.some((c) => /4F .*AID/.test(c.label))).toBe(true);
  });

  it('follows the selected application across calls for proprietary instructions', async () => {
    const send = card({ '00A4040005A000000308': '9000', '00FD': '0507029000' });
    const alone = await transmitWithFollowUps(send, fromHex('00FD000000'), false);
    expect(alone[0]!.commandName).toBeUndefined();
    const selected = new SelectedApplications();
    await transmitWithFollowUps(send, fromHex('00A4040005A000000308'), false, selected);
    const [version] = await transmitWithFollowUps(send, fromHex('00FD000000'), false, selected);
    expect(version!.commandName).toBe('GET VERSION (YubiKey)');
  });
});
