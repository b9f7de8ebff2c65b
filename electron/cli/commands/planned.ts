import { CliError, EXIT } from '../exit-codes.js';

/** Subcommands whose home is a later piece of work: they say so and exit "unavailable". */
export const PLANNED_COMMANDS: Readonly<Record<string, string>> = {
  readers: 'list readers (PC/SC, direct USB, virtual) with card state and features',
  inspect: "show a reader's capabilities: CCID descriptor, part 10 features, TLV and PIN properties",
  send: 'send APDUs to a card and print the decoded answers',
  run: 'run an APDU script (scriptor format with expected status words)',
  decode: 'decode a USB capture (.pcapng/.pcap) to CCID messages and APDU exchanges',
  'virtual-card': 'plug the virtual card into a vpcd reader',
  'virtual-reader': 'serve the virtual pinpad reader over a GemPC serial pty',
};

export function runPlanned(name: string): never {
  throw new CliError(`\`cardbench ${name}\` (${PLANNED_COMMANDS[name]}) is not available in this version yet.`, EXIT.unavailable);
}
