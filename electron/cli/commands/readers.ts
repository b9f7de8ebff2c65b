/**
 * `cardbench readers [--json]`: every reader of every backend (through the reader hub) with its
 * card state, ATR and the part 10 features it announces (GET_FEATURE_REQUEST; readers whose
 * driver has no SCardControl list none). Each reader is printed as soon as its features are
 * known; Ctrl-C stops it even while a reader does not answer, and it says which were not listed.
 */
import { getFeatureRequestCode } from '#core/pcsc/control-codes.js';
import { decodeFeatureList } from '#core/pcsc/features.js';
import { CallStoppedError } from '../../backend/abortable.js';
import type { HubReader, ReaderHub } from '../../backend/readers/reader-hub.js';
import { stopCause, type CliCommand, type CommandContext } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { JsonArrayWriter } from '../json-array-writer.js';
import { parseCommandOptions } from '../parse-options.js';
import { withReaderHub } from '../reader-session.js';

export interface ReaderListing {
  name: string;
  backend: string;
  cardPresent: boolean;
  atr: string | null;
  features: string[];
}

/** Lists the readers one by one; with a signal, stops at the reader being asked and says which it was. */
export async function listReaders(
  hub: ReaderHub,
  options: { onReader?: (listing: ReaderListing) => void | Promise<void>; signal?: AbortSignal } = {},
): Promise<{ listings: ReaderListing[]; stoppedAt?: { reader: string; notListed: number } }> {
  const listings: ReaderListing[] = [];
  const readers = hub.snapshot().readers;
  for (const [index, reader] of readers.entries()) {
    let features: string[];
    try {
      if (options.signal?.aborted) throw new CallStoppedError(reader.name);
      features = await readerFeatures(hub, reader, options.signal);
    } catch (error) {
      if (!(error instanceof CallStoppedError)) throw error;
      return { listings, stoppedAt: { reader: reader.name, notListed: readers.length - index } };
    }
    const listing = { name: reader.name, backend: reader.backend, cardPresent: reader.cardPresent, atr: reader.atr, features };
    listings.push(listing);
    await options.onReader?.(listing);
  }
  return { listings };
}

async function readerFeatures(hub: ReaderHub, reader: HubReader, signal: AbortSignal | undefined): Promise<string[]> {
  const platform = process.platform === 'win32' ? 'windows' : 'pcsc-lite';
  try {
    const answer = await hub.control(reader.id, getFeatureRequestCode(platform), new Uint8Array(0), signal ? { signal } : {});
    return decodeFeatureList(answer).features.map((feature) => feature.name);
  } catch (error) {
    if (error instanceof CallStoppedError) throw error;
    // SCARD_E_UNSUPPORTED_FEATURE and friends: the driver announces nothing.
    return [];
  } finally {
    await hub.disconnect(reader.id).catch(() => undefined);
  }
}

export const readersCommand: CliCommand = {
  name: 'readers',
  usage: '[--json]',
  summary: 'list readers (PC/SC, direct USB, virtual) with card state and features',
  help: {
    options: [{ syntax: '--json', text: 'print the readers as a JSON array (name, backend, cardPresent, atr, features)', default: 'text' }],
    examples: ['cardbench readers   # every reader, its card and its part 10 features', 'cardbench readers --json --no-virtual'],
    notes: [
      'Backends that are not available here (no pcscd, no USB bus) are named on stderr with the reason.',
      'Exit 3 when no backend at all is available; Ctrl-C stops it (exit 130) and says which readers were not listed.',
    ],
  },
  async run(context: CommandContext, args: readonly string[]): Promise<number> {
    const { values } = parseCommandOptions('readers', args, { json: { type: 'boolean' } });
    const json = values.json ? new JsonArrayWriter(context.write) : undefined;
    const printed = { count: 0 };
    const outcome = await withReaderHub(context, async (hub) => {
      const listed = await listReaders(hub, {
        signal: context.signal,
        onReader: async (reader) => {
          printed.count++;
          if (json) json.push(reader);
          else {
            context.stdout(`${reader.name}  [${reader.backend}]`);
            context.stdout(`  card: ${reader.cardPresent ? `present, ATR ${reader.atr ?? '(none)'}` : 'absent'}`);
            context.stdout(`  features: ${reader.features.length ? reader.features.join(', ') : 'none announced'}`);
          }
          await context.drain();
        },
      });
      return { ...listed, down: hub.snapshot().backends.filter((b) => !b.status.available) };
    }).catch((error: unknown) => {
      if (context.signal.aborted) return { listings: [], stoppedAt: undefined, down: [] };
      throw error;
    });
    json?.close();
    if (context.signal.aborted) {
      const what = outcome.stoppedAt
        ? `while asking "${outcome.stoppedAt.reader}" for its features; ${outcome.stoppedAt.notListed} reader(s) not listed.`
        : printed.count > 0
          ? 'after the last reader.'
          : 'before any reader was listed.';
      context.stderr(`cardbench: readers: stopped by ${stopCause(context.signal)} ${what}`);
      return EXIT.interrupted;
    }
    if (!json && outcome.listings.length === 0) context.stdout('No readers are listed.');
    for (const backend of outcome.down) context.stderr(`${backend.kind}: ${backend.status.reason ?? 'not available'}`);
    return EXIT.ok;
  },
};
