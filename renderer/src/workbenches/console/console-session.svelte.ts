/**
 * The Console's state: where APDUs go, what is typed and how it checks, what was sent and what
 * came back, the history (searched, and recalled with the arrow keys), the snippets, and the
 * card of the shown reader (its inspection: the ATR shown above the input, the "Max APDU data"
 * a long APDU is checked against). Components read it and call its methods; nothing here
 * touches the DOM.
 *
 * A long APDU is only ever warned about: once the user confirms, exactly what was typed goes.
 */
import { apduSizeWarning, type ApduSizeWarning } from '#core/console/apdu-size.js';
import { checkApduInput } from '#core/console/apdu-input.js';
import type { HistoryEntry } from '#core/console/history.js';
import type { ReaderInspection } from '#core/console/reader-inspection.js';
import type { Snippet } from '#core/console/snippet.js';
import type { TransmitOutcome } from '#core/ipc/channels/readers.js';
import type { Api } from '#core/ipc/contract.js';
import { downloadText } from '../../lib/download.js';
import { LiveReaderList } from '../readers/reader-list.svelte.js';
import { HistoryRecall } from './history-recall.js';
import { sessionFileName } from './session-file-name.js';

export type ShareMode = 'shared' | 'exclusive' | 'direct';
export type ProtocolChoice = 'any' | 't0' | 't1';

/** Outcomes kept on screen; older ones are in the history. */
const MAX_OUTCOMES = 100;
const HISTORY_LIMIT = 200;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class ConsoleSession {
  readonly live = new LiveReaderList();
  /** The reader chosen in the list or last sent to; kept while it is listed. */
  picked = $state<string | undefined>(undefined);
  input = $state('');
  followUps = $state(false);
  share = $state<ShareMode>('shared');
  protocol = $state<ProtocolChoice>('any');
  sending = $state(false);
  sendProblem = $state<string | undefined>(undefined);
  outcomes = $state<TransmitOutcome[]>([]);
  /** A send held back until the user confirms: the APDU is longer than the reader says it takes. */
  pendingLong = $state<{ apdu: string; reader: string; warning: ApduSizeWarning } | undefined>(undefined);
  history = $state<HistoryEntry[]>([]);
  query = $state('');
  snippets = $state<Snippet[]>([]);
  inspection = $state<ReaderInspection | undefined>(undefined);
  inspectProblem = $state<string | undefined>(undefined);
  readonly recall = new HistoryRecall();

  readonly readers = $derived(this.live.list?.readers ?? []);
  /** Where APDUs go: the picked reader, else the first reader with a card, else the first. */
  readonly current = $derived(this.readers.find((r) => r.id === this.picked) ?? this.readers.find((r) => r.cardPresent) ?? this.readers[0]);
  readonly reader = $derived(this.current?.id);
  /** What the inspection depends on: the reader and its card (a new card has a new ATR). */
  readonly cardKey = $derived(this.current && [this.current.id, this.current.cardPresent, this.current.atr].join(' '));
  readonly check = $derived(checkApduInput(this.input));
  /** Said as the user types too, not only when Send is pressed. */
  readonly sizeWarning = $derived(
    this.check.bytes && this.inspection?.id === this.reader ? apduSizeWarning(this.check.bytes, this.inspection) : undefined,
  );

  constructor(private readonly api: Api) {}

  /** Starts following the reader list and loads history and snippets; returns the function that stops. */
  start(): () => void {
    const off = this.live.start(this.api);
    void this.refreshHistory();
    this.api
      .invoke('console.snippets', {})
      .then((list) => (this.snippets = list))
      .catch(() => undefined);
    return off;
  }

  choose(readerId: string | undefined): void {
    this.picked = readerId;
  }

  /** Reads the shown reader's capabilities and card again (call when cardKey changes). */
  inspect(): void {
    const id = this.reader;
    this.inspectProblem = undefined;
    if (!id || !this.current?.cardPresent) {
      this.inspection = undefined;
      return;
    }
    const inspecting = this.api
      .invoke('readers.inspect', { reader: id })
      .then((result) => {
        if (this.reader === id) this.inspection = result;
      })
      .catch((error: unknown) => {
        if (this.reader === id) this.inspectProblem = errorText(error);
      })
      .finally(() => {
        if (this.#inspecting === inspecting) this.#inspecting = undefined;
      });
    this.#inspecting = inspecting;
  }

  /** The inspection on its way, if any: a send waits for it, since the size warning needs the reader's limits. */
  #inspecting: Promise<void> | undefined;

  /** Send, unless the APDU is longer than the reader takes: then wait for confirm() or cancel(). */
  async send(): Promise<void> {
    const reader = this.reader;
    if (!reader || !this.check.ok || this.sending) return;
    // Sent right after the Console opened, the reader's limits may still be on their way: an
    // APDU longer than the reader takes would otherwise go out without a word.
    if (this.#inspecting) await this.#inspecting;
    if (this.reader !== reader || this.sending || this.pendingLong) return;
    const warning = this.sizeWarning;
    if (warning) {
      this.pendingLong = { apdu: this.input, reader, warning };
      return;
    }
    await this.transmit(this.input, reader);
  }

  /** Sends the held-back APDU exactly as typed. */
  async confirm(): Promise<void> {
    const pending = this.pendingLong;
    this.pendingLong = undefined;
    if (pending) await this.transmit(pending.apdu, pending.reader);
  }

  cancel(): void {
    this.pendingLong = undefined;
  }

  /** The input changed by hand: a held-back send no longer matches it, and the recall walk ends. */
  typed(text: string): void {
    this.input = text;
    this.pendingLong = undefined;
    this.recall.edited();
  }

  /** ArrowUp: the previous command sent; false when there is none older (the key does what it usually does). */
  recallOlder(): boolean {
    const text = this.recall.older(this.input);
    if (text === undefined) return false;
    this.input = text;
    this.pendingLong = undefined;
    return true;
  }

  recallNewer(): boolean {
    const text = this.recall.newer();
    if (text === undefined) return false;
    this.input = text;
    this.pendingLong = undefined;
    return true;
  }

  use(command: string): void {
    this.typed(command);
  }

  private async transmit(apdu: string, reader: string): Promise<void> {
    // The reader sent to stays the one, even when another gets a card first in the list.
    this.picked = reader;
    this.sending = true;
    this.sendProblem = undefined;
    try {
      const outcome = await this.api.invoke('card.transmit', {
        reader,
        apdu,
        followUps: this.followUps,
        share: this.share,
        protocol: this.protocol,
      });
      this.outcomes = [outcome, ...this.outcomes].slice(0, MAX_OUTCOMES);
      await this.refreshHistory();
    } catch (error) {
      this.sendProblem = errorText(error);
    } finally {
      this.sending = false;
    }
  }

  async reconnect(reset: boolean): Promise<void> {
    if (!this.reader) return;
    this.sendProblem = undefined;
    try {
      await this.api.invoke(reset ? 'card.reconnect' : 'card.disconnect', { reader: this.reader });
    } catch (error) {
      this.sendProblem = errorText(error);
    }
  }

  /** The history panel (searched) and the arrow keys' walk (everything recent, newest first). */
  async refreshHistory(): Promise<void> {
    try {
      const recent = await this.api.invoke('console.history', { limit: HISTORY_LIMIT });
      this.recall.setEntries(recent);
      this.history = this.query.trim() ? await this.api.invoke('console.history', { query: this.query, limit: HISTORY_LIMIT }) : recent;
    } catch {
      this.history = [];
    }
  }

  async clearHistory(): Promise<void> {
    await this.api.invoke('console.clearHistory', {});
    await this.refreshHistory();
  }

  async saveSnippet(name: string): Promise<boolean> {
    if (!this.check.ok || !name.trim()) return false;
    this.snippets = await this.api.invoke('console.saveSnippet', { name: name.trim(), apdu: this.input });
    return true;
  }

  async deleteSnippet(name: string): Promise<void> {
    this.snippets = await this.api.invoke('console.deleteSnippet', { name });
  }

  async exportSession(kind: 'json' | 'text'): Promise<void> {
    const exported = await this.api.invoke('console.exportSession', {});
    if (kind === 'json') await downloadText(sessionFileName('json'), exported.json, 'application/json');
    else await downloadText(sessionFileName('txt'), exported.text);
  }
}
