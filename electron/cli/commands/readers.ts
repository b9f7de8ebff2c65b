/**
 * `cardbench readers [--json]`: every reader of every backend (through the reader hub) with its
 * card state, ATR and the part 10 features it announces (GET_FEATURE_REQUEST; readers whose
 * driver has no SCardControl list none).
 */
import { getFeatureRequestCode } from '../../../core/pcsc/control-codes.js';
import { decodeFeatureList } from '../../../core/pcsc/features.js';
import type { ReaderHub } from '../../backend/readers/reader-hub.js';
import type { CliCommand, CommandContext } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { parseCommandOptions } from '../parse-options.js';
import { withReaderHub } from '../reader-session.js';

export interface ReaderListing {
  name: string;
  backend: string;
  cardPresent: boolean;
  atr: string | null;
  features: string[];
}

export async function listReaders(hub: ReaderHub): Promise<ReaderListing[]> {
  const listings: ReaderListing[] = [];
  for (const reader of hub.snapshot().readers) {
    listings.push({
      name: reader.name,
      backend: reader.backend,
      cardPresent: reader.cardPresent,
      atr: reader.atr,
      features: await readerFeatures(hub, reader.id),
    });
  }
  return listings;
}

async function readerFeatures(hub: ReaderHub, reader: string): Promise<string[]> {
  const platform = process.platform === 'win32' ? 'windows' : 'pcsc-lite';
  try {
    const answer = await hub.control(reader, getFeatureRequestCode(platform), new Uint8Array(0));
    return decodeFeatureList(answer).features.map((feature) => feature.name);
  } catch {
    // SCARD_E_UNSUPPORTED_FEATURE and friends: the driver announces nothing.
    return [];
  } finally {
    await hub.disconnect(reader).catch(() => undefined);
  }
}

export const readersCommand: CliCommand = {
  name: 'readers',
  usage: '[--json]',
  summary: 'list readers (PC/SC, direct USB, virtual) with card state and features',
  async run(context: CommandContext, args: readonly string[]): Promise<number> {
    const { values } = parseCommandOptions('readers', args, { json: { type: 'boolean' } });
    const { listings, down } = await withReaderHub(async (hub) => ({
      listings: await listReaders(hub),
      down: hub.snapshot().backends.filter((b) => !b.status.available),
    }));
    if (values.json) {
      context.stdout(JSON.stringify(listings, null, 2));
      return EXIT.ok;
    }
    if (listings.length === 0) context.stdout('No readers are listed.');
    for (const reader of listings) {
      context.stdout(`${reader.name}  [${reader.backend}]`);
      context.stdout(`  card: ${reader.cardPresent ? `present, ATR ${reader.atr ?? '(none)'}` : 'absent'}`);
      context.stdout(`  features: ${reader.features.length ? reader.features.join(', ') : 'none announced'}`);
    }
    for (const backend of down) context.stderr(`${backend.kind}: ${backend.status.reason ?? 'not available'}`);
    return EXIT.ok;
  },
};
