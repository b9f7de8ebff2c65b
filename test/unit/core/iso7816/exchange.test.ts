import { describe, expect, it } from 'vitest';
import { fromHex } from '#core/bytes/hex.js';
import { SelectedApplications } from '#core/apps/selected-applications.js';
import { decodeExchange } from '#core/iso7816/exchange.js';
import { foldTransactions } from '#core/iso7816/transactions.js';
import { requireShared } from '../../../shared-path.js';
import { EMV_EXPECT, LABCARD_SECTION, LABCARD_TXT, readExchanges } from './ground-truth.js';

describe('decodeExchange', () => {
  it('reads 63Cx in the light of VERIFY with and without data (labcard 17–18)', () => {
    expect(decodeExchange(fromHex('00 20 00 81'), fromHex('63 C3')).response.status?.meaning).toBe('PIN not verified yet: 3 tries left');
    const wrong = decodeExchange(fromHex('00 20 00 81 08 31 32 33 35 FF FF FF FF'), fromHex('63 C2'));
    expect(wrong.response.status).toEqual({ meaning: 'Wrong PIN: 2 tries left', category: 'error' });
  });

  it('keeps READ BINARY content raw even when it happens to look like TLV', () => {
    expect(decodeExchange(fromHex('00 B0 00 00 04'), fromHex('80 02 01 02 90 00')).response.tlv).toBe(false);
    expect(decodeExchange(fromHex('00 CA 00 6E 00'), fromHex('80 02 01 02 90 00')).response.tlv).toBe(true);
  });
});

describe('SelectedApplications', () => {
  it('follows SELECT by name per logical channel; failed SELECTs change nothing', () => {
    const apps = new SelectedApplications();
    apps.observe(fromHex('00 A4 04 00 06 D2 76 00 01 24 01 00'), 0x90);
    expect(apps.contextFor(0x00)).toBe('openpgp');
    apps.observe(fromHex('01 A4 04 00 05 A0 00 00 03 08 00'), 0x90);
    expect(apps.contextFor(0x01)).toBe('piv');
    expect(apps.contextFor(0x00)).toBe('openpgp');
    apps.observe(fromHex('00 A4 04 00 07 A0 00 00 00 03 10 10 00'), 0x6a);
    expect(apps.contextFor(0x00)).toBe('openpgp');
    apps.observe(fromHex('00 A4 04 00 07 A0 00 00 05 27 20 01 00'), 0x90);
    expect(apps.contextFor(0x00)).toBeUndefined();
  });

  const skip = requireShared('captures');
  it.skipIf(skip)('EMV capture: context becomes emv after SELECT PSE, and GPO is named', () => {
    const exchanges = readExchanges(EMV_EXPECT);
    const apps = new SelectedApplications();
    const names: string[] = [];
    for (const tx of foldTransactions(exchanges)) {
      const context = apps.contextFor(tx.command[0]!);
      const decoded = decodeExchange(tx.command, Uint8Array.from([...tx.data, tx.sw1!, tx.sw2!]), { context });
      names.push(`${decoded.command.name}${context ? ` [${context}]` : ''}`);
      apps.observe(tx.command, tx.sw1);
    }
    expect(names.slice(0, 7)).toEqual([
      'SELECT',
      'READ RECORD(S) [emv]',
      'READ RECORD(S) [emv]',
      'READ RECORD(S) [emv]',
      'SELECT [emv]',
      'GET PROCESSING OPTIONS [emv]',
      'GET DATA [emv]',
    ]);
  });

  it.skipIf(skip)('labcard: an unknown AID leaves no context', () => {
    const apps = new SelectedApplications();
    for (const e of readExchanges(LABCARD_TXT, LABCARD_SECTION)) apps.observe(e.command, e.response[e.response.length - 2]);
    expect(apps.contextFor(0)).toBeUndefined();
  });
});
