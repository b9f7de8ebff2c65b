/**
 * Whether an APDU is longer than the reader says it takes (its inspection's "Max APDU data"),
 * said before it is sent. Only a warning: readers at TPDU level chain longer APDUs, and a
 * developer may want to see what a reader does with too much, so the Console sends exactly
 * what was typed once the user confirms.
 */
import { commandFields } from '../iso7816/command-apdu.js';

export interface ReaderApduLimit {
  /** Data bytes the reader takes in one APDU; null when the inspection could not tell. */
  maxApdu: number | null;
  /** Where that figure comes from (dwMaxAPDUDataSize, the CCID descriptor…). */
  maxApduSource: string | null;
}

export interface ApduSizeWarning {
  /** Bytes of the whole APDU. */
  length: number;
  /** Bytes of its data field (Nc): what "Max APDU data" is about. */
  dataLength: number;
  limit: number;
  sentence: string;
}

export function apduSizeWarning(apdu: Uint8Array, reader: ReaderApduLimit | undefined): ApduSizeWarning | undefined {
  const limit = reader?.maxApdu;
  if (limit === null || limit === undefined || apdu.length < 4) return undefined;
  const dataLength = commandFields(apdu).data.length;
  if (dataLength <= limit) return undefined;
  const source = reader?.maxApduSource ? ` (${reader.maxApduSource})` : '';
  return {
    length: apdu.length,
    dataLength,
    limit,
    sentence:
      `This APDU is ${grouped(apdu.length)} bytes with ${grouped(dataLength)} bytes of data; the reader's inventory says ` +
      `Max APDU data ${grouped(limit)} bytes${source}. The reader may refuse it, or the card may not get all of it.`,
  };
}

/** 35002 → '35,002', the same on every platform (no locale data needed). */
export function grouped(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
