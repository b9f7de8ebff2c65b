/**
 * `cardbench inspect READER [--json]`: what a reader can do — part 10 features with their
 * control codes, TLV and PIN properties, the card's ATR decoded and named, the CCID descriptor
 * where the backend sees one, the largest APDU — as JSON or as the text a driver maintainer asks for.
 */
import { inspectionText } from '#core/console/reader-inspection.js';
import { inspectReader } from '../../backend/readers/reader-inspector.js';
import { stopCause, type CliCommand, type CommandContext } from '../command.js';
import { CliError, EXIT } from '../exit-codes.js';
import { parseCommandOptions } from '../parse-options.js';
import { withReaderHub } from '../reader-session.js';

export const inspectCommand: CliCommand = {
  name: 'inspect',
  usage: 'READER [--json]',
  summary: "show a reader's capabilities: part 10 features, TLV and PIN properties, ATR, CCID descriptor",
  help: {
    arguments: [{ syntax: 'READER', text: 'the reader: its name, its id (pcsc:NAME…) or a part of its name that matches one reader' }],
    options: [{ syntax: '--json', text: 'print the inspection as one JSON object (decoded facts, no display trees)', default: 'text' }],
    examples: [
      'cardbench inspect "Virtual Pinpad"   # features, PIN properties, ATR, CCID descriptor',
      'cardbench inspect "PCD 00 00" --json',
    ],
    notes: [
      'What a reader does not support becomes a note in the output, not a failure.',
      'Exit 1 when no reader matches (the readers there are are listed); Ctrl-C stops it (exit 130).',
    ],
  },
  async run(context: CommandContext, args: readonly string[]): Promise<number> {
    const { values, positionals } = parseCommandOptions('inspect', args, { json: { type: 'boolean' } }, true);
    if (positionals.length !== 1) {
      throw new CliError('inspect: name one reader (its name, or a part of it; `cardbench readers` lists them).', EXIT.usage);
    }
    const asked = positionals[0]!;
    const inspection = await withReaderHub(context, (hub) => inspectReader(hub, asked, { signal: context.signal })).catch(
      (error: unknown) => {
        if (context.signal.aborted) return undefined;
        throw error;
      },
    );
    if (!inspection || context.signal.aborted) {
      context.stderr(
        `cardbench: inspect: stopped by ${stopCause(context.signal)} while asking "${asked}" for its capabilities; nothing was printed.`,
      );
      return EXIT.interrupted;
    }
    if (values.json) {
      // The tree views are for the app; the CLI's JSON keeps the decoded facts.
      const { atr, ccidDescriptor, ...rest } = inspection;
      const slimAtr = atr ? (({ tree: _tree, ...facts }) => facts)(atr) : null;
      const slimDescriptor = ccidDescriptor ? { hex: ccidDescriptor.hex, ...ccidDescriptor.fields } : null;
      context.stdout(JSON.stringify({ ...rest, atr: slimAtr, ccidDescriptor: slimDescriptor }, null, 2));
      return EXIT.ok;
    }
    context.stdout(inspectionText(inspection));
    return EXIT.ok;
  },
};
