/**
 * `cardbench virtual-card --vpcd [HOST:PORT] [--protocol t0|t1] [--ttl SECONDS]`: the virtual card in a vpcd
 * reader, so any PC/SC program on this machine (opensc-tool, scriptor, gpg, Cardbench itself) sees a card.
 * Every exchange is logged, with PIN bodies hidden.
 */
import { toHex } from '#core/bytes/hex.js';
import { describeCommandSafely, summarizeExchange } from '#core/sim/card/exchange-summary.js';
import { createVirtualCard } from '#core/sim/card/virtual-smart-card.js';
import type { CardProtocol } from '#core/sim/card/virtual-card.js';
import { DEFAULT_VPCD_ADDRESS, parseVpcdAddress, type VpcdAddress } from '../../backend/vpcd/vpcd-address.js';
import { plugCardIntoVpcd, type VpcdEvent } from '../../backend/vpcd/vpcd-card-session.js';
import type { CliCommand, CommandContext } from '../command.js';
import { CliError, EXIT } from '../exit-codes.js';
import { parseCommandOptions } from '../parse-options.js';

export interface VirtualCardOptions {
  vpcd: VpcdAddress;
  protocol: CardProtocol;
  /** Seconds before the card removes itself; undefined: until Ctrl-C. */
  ttlSeconds: number | undefined;
  /** APDUs answered before the card goes mute (stays inserted, answers nothing); undefined: never mute. */
  muteAfter: number | undefined;
}

const MAX_TTL_SECONDS = 7 * 24 * 3600;

export function parseVirtualCardOptions(args: readonly string[]): VirtualCardOptions {
  const { values } = parseCommandOptions('virtual-card', withVpcdValue(args), {
    vpcd: { type: 'string' },
    protocol: { type: 'string' },
    ttl: { type: 'string' },
    'mute-after': { type: 'string' },
  });
  if (values.vpcd === undefined) {
    throw new CliError(
      `virtual-card: say where to plug the card: --vpcd [HOST:PORT] (default ${DEFAULT_VPCD_ADDRESS.host}:${DEFAULT_VPCD_ADDRESS.port}, the vsmartcard vpcd reader of pcscd).`,
      EXIT.usage,
    );
  }
  const address = parseVpcdAddress(values.vpcd);
  if (!address.ok) throw new CliError(`virtual-card: --vpcd ${address.reason}.`, EXIT.usage);
  return {
    vpcd: address.address,
    protocol: parseProtocol(values.protocol),
    ttlSeconds: parseTtl(values.ttl),
    muteAfter: parseMuteAfter(values['mute-after']),
  };
}

/** `--vpcd` takes an optional value, which parseArgs cannot express: a bare `--vpcd` means the default address. */
function withVpcdValue(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg !== '--vpcd') {
      out.push(arg);
      continue;
    }
    const next = args[i + 1];
    if (next !== undefined && !next.startsWith('-')) {
      out.push(`--vpcd=${next}`);
      i++;
    } else {
      out.push('--vpcd=');
    }
  }
  return out;
}

function parseProtocol(text: string | undefined): CardProtocol {
  const normalized = (text ?? 't1').toLowerCase().replace(/[^a-z0-9]/g, '');
  if (normalized === 't0') return 'T=0';
  if (normalized === 't1') return 'T=1';
  throw new CliError(`virtual-card: --protocol must be t0 or t1, not '${text}'.`, EXIT.usage);
}

function parseTtl(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(seconds > 0) || seconds > MAX_TTL_SECONDS) {
    throw new CliError(`virtual-card: --ttl must be a number of seconds above 0 (at most ${MAX_TTL_SECONDS}), not '${text}'.`, EXIT.usage);
  }
  return seconds;
}

function parseMuteAfter(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,9}$/.test(text))
    throw new CliError(`virtual-card: --mute-after must be a number of APDUs (0 or more), not '${text}'.`, EXIT.usage);
  return Number(text);
}

export async function runVirtualCard(context: CommandContext, options: VirtualCardOptions): Promise<number> {
  const card = createVirtualCard({ protocol: options.protocol });
  const describe = (event: VpcdEvent): void => {
    switch (event.kind) {
      case 'connected':
        context.stdout(`Virtual card inserted into vpcd at ${event.address} (${card.protocol}, ATR ${toHex(event.atr)})`);
        break;
      case 'waiting':
        context.stderr(`Waiting for vpcd at ${event.address}: ${event.reason}. Retrying until it answers (Ctrl-C to stop).`);
        break;
      case 'disconnected':
        context.stdout(`Virtual card removed from vpcd at ${event.address} (${event.reason})`);
        break;
      case 'power':
        context.stdout(`power ${event.action}`);
        break;
      case 'exchange':
        context.stdout(summarizeExchange(event.command, event.response, event.elapsedMs));
        break;
      case 'unanswered':
        context.stdout(`mute: received ${describeCommandSafely(event.command)}, not answering`);
        break;
      case 'ignored':
        context.stderr(`ignored: ${event.reason}`);
        break;
    }
  };
  const session = plugCardIntoVpcd({
    address: options.vpcd,
    card,
    onEvent: describe,
    ...(options.muteAfter === undefined ? {} : { muteAfterApdus: options.muteAfter }),
  });
  let ttlTimer: NodeJS.Timeout | undefined;
  const expired = new Promise<'ttl'>((resolve) => {
    if (options.ttlSeconds !== undefined) ttlTimer = setTimeout(() => resolve('ttl'), options.ttlSeconds * 1000);
  });
  const reason = await Promise.race([context.untilInterrupted().then(() => 'interrupted' as const), expired]);
  if (ttlTimer) clearTimeout(ttlTimer);
  context.stderr(reason === 'ttl' ? `--ttl of ${options.ttlSeconds} s reached: removing the card…` : 'Stopping: removing the card…');
  await session.close();
  return EXIT.ok;
}

export const virtualCardCommand: CliCommand = {
  name: 'virtual-card',
  usage: '--vpcd [HOST:PORT] [--protocol t0|t1] [--ttl SECONDS] [--mute-after N]',
  summary: 'plug the virtual card (OpenPGP, PIV, ISO files) into a vpcd reader, logging each APDU without PIN bytes',
  help: {
    options: [
      {
        syntax: '--vpcd [HOST:PORT]',
        text: "the vpcd reader to plug into (vsmartcard's driver inside pcscd); retried until it answers",
        default: `${DEFAULT_VPCD_ADDRESS.host}:${DEFAULT_VPCD_ADDRESS.port}, reader "Virtual PCD 00 00"; port 35964 is 00 01`,
      },
      { syntax: '--protocol t0|t1', text: 'the protocol the card announces in its ATR', default: 't1' },
      { syntax: '--ttl SECONDS', text: 'remove the card by itself after this long', default: 'until Ctrl-C' },
      {
        syntax: '--mute-after N',
        text: 'answer N APDUs, then stay inserted but answer no more (a card that stopped answering, to test timeouts and Ctrl-C)',
        default: 'never mute',
      },
    ],
    examples: [
      'cardbench virtual-card --vpcd   # a card in "Virtual PCD 00 00" until Ctrl-C',
      'cardbench virtual-card --vpcd 127.0.0.1:35964 --protocol t0 --ttl 60',
      'cardbench virtual-card --vpcd --mute-after 1   # answers the first APDU, then goes silent',
    ],
    notes: ['Ctrl-C removes the card (exit 130). Every APDU is logged on stdout, PIN bodies as their length only.'],
  },
  run: (context, args) => runVirtualCard(context, parseVirtualCardOptions(args)),
};
