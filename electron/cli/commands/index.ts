/** Every `cardbench` subcommand, in --help order. Adding a command is one entry here. */
import type { CliCommand } from '../command.js';
import { plannedCommand } from './planned.js';
import { runStart } from './start.js';
import { runWeb } from './web.js';
import { parseWebOptions } from './web-options.js';

export const COMMANDS: readonly CliCommand[] = [
  {
    name: 'start',
    usage: '[--no-open]',
    summary: "run the desktop app (browser mode when Electron's binary is missing)",
    run: (context, args) => runStart(context, parseWebOptions('start', args)),
  },
  {
    name: 'web',
    usage: '[--port N] [--no-open]',
    summary: 'serve the app to your browser on loopback, with a per-run token',
    run: (context, args) => runWeb(context, parseWebOptions('web', args)),
  },
  plannedCommand('readers', 'list readers (PC/SC, direct USB, virtual) with card state and features'),
  plannedCommand('inspect', "show a reader's capabilities: CCID descriptor, part 10 features, TLV and PIN properties"),
  plannedCommand('send', 'send APDUs to a card and print the decoded answers'),
  plannedCommand('run', 'run an APDU script (scriptor format with expected status words)'),
  plannedCommand('decode', 'decode a USB capture (.pcapng/.pcap) to CCID messages and APDU exchanges'),
  plannedCommand('virtual-card', 'plug the virtual card into a vpcd reader'),
  plannedCommand('virtual-reader', 'serve the virtual pinpad reader over a GemPC serial pty'),
];
