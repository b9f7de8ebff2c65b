/**
 * A small ISO 7816-4 file system: the MF (3F00) with transparent EFs that SELECT, READ BINARY and
 * UPDATE BINARY reach by FID, by path from the MF, or by short EF identifier. File contents are the card's
 * non-volatile memory; the current EF is volatile and forgotten on reset or when an application is selected.
 */
import { encodeBerTlv } from '#core/tlv/ber-tlv.js';
import { SW, dataAnswer, status, type Answer } from './answer.js';
import type { CardCommand } from './card-command.js';

export const MF_FID = 0x3f00;

export interface TransparentFile {
  fid: number;
  sfi: number;
  contents: Uint8Array;
}

/** 600 bytes: more than one short answer, so T=0 needs 61xx/GET RESPONSE and T=1 extended Le to read it at once. */
export const LONG_FILE_FID = 0x2f01;
export const LONG_FILE_SIZE = 600;
export const SHORT_FILE_FID = 0x2f02;

export function defaultFiles(longFileSize = LONG_FILE_SIZE): TransparentFile[] {
  const long = new Uint8Array(longFileSize);
  // A recognisable pattern: byte i holds i mod 256, so a test can tell exactly which offset it read.
  for (let i = 0; i < long.length; i++) long[i] = i & 0xff;
  const label = 'Cardbench virtual card';
  const short = new Uint8Array(label.length);
  for (let i = 0; i < label.length; i++) short[i] = label.charCodeAt(i);
  return [
    { fid: LONG_FILE_FID, sfi: 1, contents: long },
    { fid: SHORT_FILE_FID, sfi: 2, contents: short },
  ];
}

export class IsoFileSystem {
  readonly #files: TransparentFile[];
  #current: TransparentFile | undefined;

  constructor(files: TransparentFile[] = defaultFiles()) {
    this.#files = files.map((file) => ({ ...file, contents: file.contents.slice() }));
  }

  /** Volatile state only: the files keep their contents. */
  forgetSelection(): void {
    this.#current = undefined;
  }

  file(fid: number): TransparentFile | undefined {
    return this.#files.find((file) => file.fid === fid);
  }

  /** SELECT with P1 00 (MF/DF/EF by FID), 02 (EF under the current DF) or 08 (path from the MF). */
  select(command: CardCommand): Answer {
    const { p1, p2, data } = command;
    if ((p2 & 0xf3) !== 0) return status(SW.WRONG_P1P2);
    const wantsNoData = (p2 & 0x0c) === 0x0c;
    let fids: number[];
    if (p1 === 0x00 || p1 === 0x02) {
      if (data.length === 0 && p1 === 0x00) fids = [MF_FID];
      else if (data.length === 2) fids = [fidAt(data, 0)];
      else return status(SW.WRONG_DATA);
    } else if (p1 === 0x08) {
      if (data.length === 0 || data.length % 2 !== 0) return status(SW.WRONG_DATA);
      fids = [];
      for (let at = 0; at < data.length; at += 2) fids.push(fidAt(data, at));
      if (fids[0] === MF_FID) fids.shift();
      if (fids.length === 0) fids = [MF_FID];
    } else {
      return status(SW.WRONG_P1P2);
    }
    if (fids.length === 1 && fids[0] === MF_FID) {
      this.#current = undefined;
      return wantsNoData ? status(SW.OK) : dataAnswer(mfFcp());
    }
    // Every EF lives directly under the MF: a longer path names a DF that does not exist.
    const file = fids.length === 1 ? this.file(fids[0]!) : undefined;
    if (!file) return status(SW.FILE_NOT_FOUND);
    this.#current = file;
    return wantsNoData ? status(SW.OK) : dataAnswer(efFcp(file));
  }

  readBinary(command: CardCommand): Answer {
    const target = this.#target(command);
    if ('sw' in target) return target;
    const { file, offset } = target;
    if (offset > file.contents.length) return status(SW.WRONG_OFFSET);
    const available = file.contents.length - offset;
    const count = Math.min(command.ne, available);
    const data = file.contents.slice(offset, offset + count);
    return dataAnswer(data, command.leExplicit && count < command.ne ? SW.END_OF_FILE : SW.OK);
  }

  updateBinary(command: CardCommand): Answer {
    if (command.data.length === 0) return status(SW.WRONG_LENGTH);
    const target = this.#target(command);
    if ('sw' in target) return target;
    const { file, offset } = target;
    if (offset > file.contents.length) return status(SW.WRONG_OFFSET);
    if (offset + command.data.length > file.contents.length) return status(SW.NOT_ENOUGH_MEMORY);
    file.contents.set(command.data, offset);
    return status(SW.OK);
  }

  /** P1 b8 set: b5–b1 are a short EF identifier (which also selects it) and P2 the offset; else P1P2 is a 15-bit offset. */
  #target(command: CardCommand): { file: TransparentFile; offset: number } | Answer {
    const { p1, p2 } = command;
    if ((p1 & 0x80) !== 0) {
      if ((p1 & 0x60) !== 0) return status(SW.WRONG_P1P2);
      const file = this.#files.find((candidate) => candidate.sfi === (p1 & 0x1f));
      if (!file) return status(SW.FILE_NOT_FOUND);
      this.#current = file;
      return { file, offset: p2 };
    }
    if (!this.#current) return status(SW.NO_CURRENT_EF);
    return { file: this.#current, offset: (p1 << 8) | p2 };
  }
}

function fidAt(data: Uint8Array, at: number): number {
  return (data[at]! << 8) | data[at + 1]!;
}

/** FCP of the MF: descriptor 38 (DF), FID, life cycle "operational, activated". */
function mfFcp(): Uint8Array {
  return encodeBerTlv([
    {
      tag: 0x62,
      children: [
        { tag: 0x82, value: Uint8Array.of(0x38) },
        { tag: 0x83, value: Uint8Array.of(MF_FID >> 8, MF_FID & 0xff) },
        { tag: 0x8a, value: Uint8Array.of(0x05) },
      ],
    },
  ]);
}

/** FCP of a transparent EF: size, descriptor 01 (working EF, transparent), FID, SFI, life cycle. */
function efFcp(file: TransparentFile): Uint8Array {
  const size = file.contents.length;
  return encodeBerTlv([
    {
      tag: 0x62,
      children: [
        { tag: 0x80, value: Uint8Array.of(size >> 8, size & 0xff) },
        { tag: 0x82, value: Uint8Array.of(0x01) },
        { tag: 0x83, value: Uint8Array.of(file.fid >> 8, file.fid & 0xff) },
        { tag: 0x88, value: Uint8Array.of(file.sfi << 3) },
        { tag: 0x8a, value: Uint8Array.of(0x05) },
      ],
    },
  ]);
}
