/**
 * `cardbench readers [--json]`: every PC/SC reader with its card state, ATR and the part 10
 * features it announces (GET_FEATURE_REQUEST; readers whose driver has no SCardControl list none).
 */
import { getFeatureRequestCode } from '../../../core/pcsc/control-codes.js';
import { decodeFeatureList } from '../../../core/pcsc/features.js';
import type { PcscService } from '../../backend/pcsc/pcsc-service.js';
import type { CliCommand, CommandContext } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { parseCommandOptions } from '../parse-options.js';
import { withPcsc } from '../pcsc-session.js';

export interface ReaderListing {
  name: string;
  backend: 'pcsc';
  cardPresent: boolean;
  atr: string | null;
  features: string[];
}

export async function listReaders(service: PcscService): Promise<ReaderListing[]> {
  const listings: ReaderListing[] = [];
  for (const reader of service.snapshot().readers) {
    listings.push({
      name: reader.name,
      backend: 'pcsc',
      cardPresent: reader.cardPresent,
      atr: reader.atr,
      features: await readerFeatures(service, reader.name),
    });
  }
  return listings;
}

async function readerFeatures(service: PcscService, reader: string): Promise<string[]> {
  const platform = process.platform === 'win32' ? 'windows' : 'pcsc-lite';
  try {
    const answer = await service.control(reader, getFeatureRequestCode(platform), new Uint8Array(0));
    return decodeFeatureList(answer).features.map((feature) => feature.name);
  } catch {
    // SCARD_E_UNSUPPORTED_FEATURE and friends: the driver announces nothing.
    return [];
  } finally {
    await service.disconnect(reader);
  }
}

export const readersCommand: CliCommand = {
  name: 'readers',
  usage: '[--json]',
  summary: 'list readers (PC/SC, direct USB, virtual) with card state and features',
  async run(context: CommandContext, args: readonly string[]): Promise<number> {
    const { values } = parseCommandOptions('readers', args, { json: { type: 'boolean' } });
    const listings = await withPcsc(listReaders);
    if (values.json) {
      context.stdout(JSON.stringify(listings, null, 2));
      return EXIT.ok;
    }
    if (listings.length === 0) context.stdout('PC/SC lists no readers.');
    for (const reader of listings) {
      context.stdout(`${reader.name}`);
      context.stdout(`  card: ${reader.cardPresent ? `present, ATR ${reader.atr ?? '(none)'}` : 'absent'}`);
      context.stdout(`  features: ${reader.features.length ? reader.features.join(', ') : 'none announced'}`);
    }
    return EXIT.ok;
  },
};
