/**
 * Asks a reader what it can do: GET_FEATURE_REQUEST, then GET_TLV_PROPERTIES and
 * IFD_PIN_PROPERTIES when announced, the CCID descriptor where the backend has one, the card's
 * ATR and its name from smartcard_list.txt. Each failure becomes a note; inspection never throws
 * for what a reader does not support.
 */
import { buildInspection, type RawReaderAnswers, type ReaderInspection } from '#core/console/reader-inspection.js';
import { getFeatureRequestCode } from '#core/pcsc/control-codes.js';
import { decodeFeatureList } from '#core/pcsc/features.js';
import { CallStoppedError } from '../abortable.js';
import type { ReaderHub } from './reader-hub.js';
import { identifyCard } from './smartcard-list-file.js';

export async function inspectReader(
  hub: ReaderHub,
  readerName: string,
  options: { smartcardListPaths?: readonly string[]; signal?: AbortSignal } = {},
): Promise<ReaderInspection> {
  const { backend, reader } = hub.resolve(readerName);
  const raw: RawReaderAnswers = {
    id: reader.id,
    name: reader.name,
    backend: reader.backend,
    cardPresent: reader.cardPresent,
    atr: reader.atr,
    notes: [],
  };
  if (backend.control) {
    const platform = process.platform === 'win32' ? 'windows' : 'pcsc-lite';
    const callOptions = options.signal ? { signal: options.signal } : {};
    // Through the hub, which tells the shell about a reader that takes long to answer.
    const control = (code: number) => hub.control(reader.id, code, new Uint8Array(0), callOptions);
    try {
      raw.featureAnswer = await control(getFeatureRequestCode(platform));
      const features = decodeFeatureList(raw.featureAnswer).features;
      const tlv = features.find((f) => f.name === 'GET_TLV_PROPERTIES');
      const pin = features.find((f) => f.name === 'IFD_PIN_PROPERTIES');
      if (tlv) raw.tlvAnswer = await ask(control, tlv.controlCode, 'GET_TLV_PROPERTIES', raw.notes!);
      if (pin) raw.pinAnswer = await ask(control, pin.controlCode, 'IFD_PIN_PROPERTIES', raw.notes!);
    } catch (error) {
      // A stop is the caller's, not something the reader failed to do.
      if (error instanceof CallStoppedError) throw error;
      raw.notes!.push(`GET_FEATURE_REQUEST failed: ${(error as Error).message}`);
    } finally {
      // Inspection may have opened a direct connection; the console should not inherit it.
      await backend.disconnect(reader.name).catch(() => undefined);
    }
  } else {
    raw.notes!.push(`The ${backend.kind} backend has no control channel (no part 10 features).`);
  }
  const descriptor = backend.ccidDescriptor?.(reader.name);
  if (descriptor) raw.descriptor = descriptor;
  if (reader.atr) raw.card = identifyCard(reader.atr, options.smartcardListPaths);
  if (raw.notes!.length === 0) delete raw.notes;
  return buildInspection(raw);
}

async function ask(
  control: (code: number) => Promise<Uint8Array>,
  code: number,
  name: string,
  notes: string[],
): Promise<Uint8Array | undefined> {
  try {
    return await control(code);
  } catch (error) {
    if (error instanceof CallStoppedError) throw error;
    notes.push(`${name} failed: ${(error as Error).message}`);
    return undefined;
  }
}
