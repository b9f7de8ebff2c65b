/**
 * The Console behind the contract: sends typed APDUs through the hub (with the opt-in 61xx/6Cxx
 * follow-ups), keeps the masked history and the snippets in the settings store, runs scripts
 * and exports the session.
 */
import { parseHex } from '#core/bytes/hex.js';
import type { ExchangeView } from '#core/console/exchange-view.js';
import { historyEntryFor, maskCommand, MAX_HISTORY_ENTRIES, searchHistory, type HistoryEntry } from '#core/console/history.js';
import { parseScript } from '#core/console/script.js';
import { runScript, type ScriptStepResult } from '#core/console/script-run.js';
import type { ScriptOutcome, TransmitOutcome } from '#core/ipc/channels/readers.js';
import { exportSession, type SessionExport } from '#core/console/session-export.js';
import { transmitApdu } from '#core/console/transmit-sequence.js';
import { SelectedApplications } from '#core/apps/selected-applications.js';
import { CardbenchError } from '#core/ipc/errors.js';
import type { ActiveProtocol, ProtocolChoice, ShareMode } from '../reader-backend.js';
import type { ConsoleDocument, Snippet } from '../settings/console-store.js';
import { MAX_SNIPPETS } from '../settings/console-store.js';
import type { JsonStore } from '../settings/json-store.js';
import type { ReaderHub } from './reader-hub.js';

export interface ConsoleTransmitRequest {
  reader: string;
  apdu: string;
  share?: ShareMode | undefined;
  protocol?: ProtocolChoice | undefined;
  followUps?: boolean | undefined;
}

const MAX_APDU_BYTES = 65544;

export class ConsoleService {
  private readonly sessionStart: number;

  constructor(
    private readonly hub: ReaderHub,
    /** Undefined: history kept in memory only (e.g. the data directory is not writable). */
    private readonly store: JsonStore<ConsoleDocument> | undefined,
    private memory: ConsoleDocument = { version: 1, history: [], snippets: [] },
  ) {
    this.sessionStart = this.nextId();
  }

  async transmit(request: ConsoleTransmitRequest): Promise<TransmitOutcome> {
    const apdu = parseApdu(request.apdu);
    const { reader } = this.hub.resolve(request.reader);
    let protocol: ActiveProtocol = 'none';
    const options = { ...(request.share ? { share: request.share } : {}), ...(request.protocol ? { protocol: request.protocol } : {}) };
    const { exchanges, whole } = await transmitApdu(
      async (bytes) => {
        const result = await this.hub.transmit(reader.id, bytes, options);
        protocol = result.protocol;
        return result;
      },
      apdu,
      { followUps: request.followUps ?? false, selected: this.selectedOn(reader.id) },
    );
    this.remember(reader.name, exchanges);
    return { reader: reader.id, protocol, exchanges, ...(whole ? { whole } : {}) };
  }

  /**
   * Runs a script on the named reader (or the first with a card). `live` is for callers that show
   * steps as they complete (the CLI): each step goes to onStep, the signal stops the run between
   * steps and cancels the wait of the step in flight; with keepSteps false nothing is kept, in
   * the result or in the history (a script is a file already).
   */
  async runScript(
    request: {
      reader?: string | undefined;
      script: string;
      share?: ShareMode | undefined;
      protocol?: ProtocolChoice | undefined;
      followUps?: boolean | undefined;
    },
    live: { onStep?: (step: ScriptStepResult) => void | Promise<void>; signal?: AbortSignal; keepSteps?: boolean } = {},
  ): Promise<ScriptOutcome> {
    const parsed = parseScript(request.script);
    const target = request.reader ? this.hub.resolve(request.reader).reader : this.hub.firstWithCard();
    if (!target) throw new CardbenchError('operation-failed', 'No reader has a card: insert one, or choose the reader.');
    const signal = live.signal;
    const options = {
      ...(request.share ? { share: request.share } : {}),
      ...(request.protocol ? { protocol: request.protocol } : {}),
      ...(signal ? { signal } : {}),
    };
    const result = await runScript(
      parsed,
      {
        send: (bytes) => this.hub.transmit(target.id, bytes, options),
        reset: () => this.hub.disconnect(target.id, 'reset'),
      },
      {
        followUps: request.followUps ?? false,
        // The same card as the Console's: a script continues from what it had selected, and leaves it.
        selected: this.selectedOn(target.id),
        ...(live.onStep ? { onStep: live.onStep } : {}),
        ...(signal ? { stopRequested: () => signal.aborted } : {}),
        ...(live.keepSteps === undefined ? {} : { keepSteps: live.keepSteps }),
      },
    );
    for (const step of result.steps) this.remember(target.name, step.exchanges);
    return { ...result, reader: target.id };
  }

  async reconnect(reader: string, reset: boolean): Promise<void> {
    const { reader: target } = this.hub.resolve(reader);
    // A reset or a new connection forgets what the card had selected.
    this.selected.delete(target.id);
    await this.hub.disconnect(reader, reset ? 'reset' : 'leave');
  }

  /** What each reader's card has selected, so names follow the application across exchanges. */
  private readonly selected = new Map<string, SelectedApplications>();

  private selectedOn(readerId: string): SelectedApplications {
    let selected = this.selected.get(readerId);
    if (!selected) this.selected.set(readerId, (selected = new SelectedApplications()));
    return selected;
  }

  history(query = '', limit = 200): HistoryEntry[] {
    return searchHistory(this.document.history, query).slice(-limit).reverse();
  }

  clearHistory(): void {
    this.save({ ...this.document, history: [] });
  }

  snippets(): Snippet[] {
    return this.document.snippets;
  }

  /** Saved with PIN data masked, like everything else that reaches the disk. */
  saveSnippet(snippet: Snippet): Snippet[] {
    const clean: Snippet = { ...snippet, apdu: maskCommand(snippet.apdu.replace(/\s+/g, '')) };
    const others = this.document.snippets.filter((s) => s.name !== snippet.name);
    if (others.length >= MAX_SNIPPETS) throw new CardbenchError('operation-failed', `At most ${MAX_SNIPPETS} snippets: delete some first.`);
    this.save({ ...this.document, snippets: [...others, clean].sort((a, b) => a.name.localeCompare(b.name)) });
    return this.document.snippets;
  }

  deleteSnippet(name: string): Snippet[] {
    this.save({ ...this.document, snippets: this.document.snippets.filter((s) => s.name !== name) });
    return this.document.snippets;
  }

  exportSession(): SessionExport {
    const session = this.document.history.filter((entry) => entry.id >= this.sessionStart);
    return exportSession(session, { generatedAt: new Date(), app: 'Cardbench' });
  }

  /** A message to show once when the settings file was unreadable. */
  get storeProblem(): string | undefined {
    return this.store?.loadProblem;
  }

  private get document(): ConsoleDocument {
    return this.store ? this.store.value : this.memory;
  }

  private save(next: ConsoleDocument): void {
    if (!this.store) {
      this.memory = next;
      return;
    }
    try {
      this.store.write(next);
    } catch {
      // A read-only or full disk loses persistence, not the console.
      this.memory = next;
    }
  }

  private nextId(): number {
    const history = this.document.history;
    return history.length ? history[history.length - 1]!.id + 1 : 1;
  }

  private remember(reader: string, exchanges: readonly ExchangeView[]): void {
    if (exchanges.length === 0) return;
    let id = this.nextId();
    const now = new Date();
    const added = exchanges.map((view) => historyEntryFor(id++, now, reader, view));
    this.save({ ...this.document, history: [...this.document.history, ...added].slice(-MAX_HISTORY_ENTRIES) });
  }
}

function parseApdu(text: string): Uint8Array {
  const parsed = parseHex(text, MAX_APDU_BYTES);
  if (!parsed.ok)
    throw new CardbenchError('invalid-arguments', `The APDU is not valid hex: ${parsed.reason} (at character ${parsed.position + 1}).`);
  if (parsed.bytes.length < 4)
    throw new CardbenchError('invalid-arguments', `The APDU has ${parsed.bytes.length} byte(s); it needs at least CLA INS P1 P2.`);
  return parsed.bytes;
}
