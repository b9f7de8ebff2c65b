/**
 * Which application the card has selected on each logical channel: the one tracker the Console,
 * scripts, `cardbench send` and capture decoding share, so a tag or an INS byte gets the same
 * name wherever the same exchanges are read (C4 after SELECT of OpenPGP is "PW status bytes",
 * not GlobalPlatform's "Executable load file AID").
 *
 * A SELECT by DF name that succeeds (9000, or 61xx with the FCI still to fetch) switches the
 * channel to that AID's family; one that fails leaves ISO 7816-4's rule: the previous selection
 * stays. Feed it every exchange (or every folded transaction with its final status word): a
 * GET RESPONSE or a re-sent command changes nothing by itself.
 */
import { commandFields } from '../iso7816/command-apdu.js';
import { decodeCla } from '../iso7816/cla.js';
import { INS } from '../iso7816/ins.js';
import type { ApplicationKind } from './application-kind.js';
import { identifyAid } from './known-aids.js';

export class SelectedApplications {
  private readonly byChannel = new Map<number, ApplicationKind | undefined>();

  /** The application family selected on the channel this CLA names, if known. */
  contextFor(cla: number): ApplicationKind | undefined {
    return this.byChannel.get(channelOf(cla));
  }

  /** Updates the selection from one exchange (the final SW of a folded transaction is what counts). */
  observe(command: Uint8Array, sw1: number | undefined): void {
    if (command.length < 5 || command[1] !== INS.SELECT) return;
    if (sw1 !== 0x90 && sw1 !== 0x61) return;
    const cla = command[0]!;
    const p1 = command[2]!;
    if (p1 !== 0x04) {
      // Selecting by file identifier or path leaves the application context unknown.
      if (p1 === 0x00 || p1 === 0x08) this.byChannel.set(channelOf(cla), undefined);
      return;
    }
    const known = identifyAid(commandFields(command).data);
    this.byChannel.set(channelOf(cla), known && known.kind !== 'other' ? known.kind : undefined);
  }

  /** A card reset (or a new connection) forgets every selection. */
  reset(): void {
    this.byChannel.clear();
  }
}

/** The logical channel of each CLA value, read once: decodeCla writes a description nobody reads here. */
const CHANNELS: number[] = [];

function channelOf(cla: number): number {
  const value = cla & 0xff;
  return (CHANNELS[value] ??= decodeCla(value).channel ?? 0);
}
