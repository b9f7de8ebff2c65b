/**
 * The Captures workbench's state: the open capture and its import, the filter, the window of
 * message rows the list shows, the selected message's decode, the APDU conversation and the
 * timing plot's points. Components read it and call its methods; nothing here touches the DOM.
 *
 * The renderer never holds a whole capture (ARCHITECTURE.md, rule 4): `rows` and `conversation`
 * cache the lines around what their lists show, by index, one message's decode is asked for
 * when it is selected, and the timing plot gets a few points per pixel column. The backend's
 * answers can arrive out of order (arrow keys outrun it, the filter changes while rows are on
 * their way, a second Open replaces the first): a `generation` drops rows meant for a list that
 * has started over, a detail for a row no longer selected is dropped, and an answer or error
 * about a capture no longer open is ignored.
 */
import { untrack } from 'svelte';
import { SvelteMap } from 'svelte/reactivity';
import type {
  CaptureDetail,
  CaptureExport,
  CaptureFilter,
  CaptureNode,
  CaptureRow,
  CaptureStatus,
  CaptureTiming,
  CaptureTransaction,
} from '#core/ipc/channels/captures.js';
import { MAX_CAPTURE_WINDOW, MAX_TIMING_COLUMNS } from '#core/ipc/channels/values.js';
import type { Api, ArgsOf, ChannelName, ResultOf } from '#core/ipc/contract.js';
import { nodeAtOffset } from '#core/dissect/node.js';
import { emptyFilterFields, fieldProblems, filterFrom, type FilterFieldProblems, type FilterFields } from './capture-filter.js';
import { loadRecentFiles, rememberRecentFile } from './recent-files.js';
import { uploadCapture } from './upload-capture.js';

/** Rows fetched beyond each end of what a list shows, so a short scroll finds them there. */
const ROWS_AROUND = 50;

export type ExportFormat = 'json' | 'text' | 'script';

export interface ExportChoice {
  format: ExportFormat;
  redactPins: boolean;
  /** Only the selected message (when one is selected). */
  selectionOnly: boolean;
}

/** A time range of the timing plot, ms since frame 1; undefined: the whole capture. */
export type TimingRange = { fromMs: number; toMs: number } | undefined;

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An answer about a capture that is no longer the open one (closed by a newer Open). */
class Superseded extends Error {}

export class CaptureView {
  status = $state<CaptureStatus | undefined>(undefined);
  /**
   * What went wrong last (an open, an upload, an export): one message, which the next failure
   * replaces and the next successful open clears.
   */
  problem = $state<string | undefined>(undefined);
  busy = $state(false);
  recent = $state<string[]>(loadRecentFiles());

  /** The filter bar as typed. */
  fields = $state<FilterFields>(emptyFilterFields());
  /** Typed values the filter cannot use, said at their fields. */
  readonly fieldProblems: FilterFieldProblems = $derived(fieldProblems(this.fields));
  /**
   * The filter as text. A derived value tells its readers only when it really changes, so a
   * keystroke that leaves the filter as it was (a slot of `x`) starts nothing over.
   */
  readonly filterKey = $derived(JSON.stringify(filterFrom(this.fields)));
  /** What the backend gets; a new object only when `filterKey` changes. */
  readonly filter = $derived(JSON.parse(this.filterKey) as CaptureFilter);

  /** How many rows the filter lets through. */
  matched = $state(0);
  /** Rows by their index in the filtered view: only those around what the list shows. */
  readonly rows = new SvelteMap<number, CaptureRow>();
  selectedIndex = $state(-1);
  detail = $state<CaptureDetail | undefined>(undefined);
  /** The list index the shown detail belongs to (tests wait on it). */
  detailIndex = $state<number | undefined>(undefined);
  selectedNode = $state<CaptureNode | undefined>(undefined);

  /** Conversation lines (transactions and PIN entries) by index: only those around what its list shows. */
  readonly conversation = new SvelteMap<number, CaptureTransaction>();
  conversationTotal = $state(0);
  selectedTransaction = $state(-1);

  /** The timing plot's points for the range it shows. */
  timing = $state<CaptureTiming | undefined>(undefined);

  #api: Api | undefined;
  #generation = 0;
  #conversationGeneration = 0;
  #timingRequest = 0;
  /** Counts opens: an open that a newer one overtook gives up. */
  #opening = 0;
  #visible = { first: 0, last: 0 };
  #conversationVisible = { first: 0, last: 0 };

  get api(): Api {
    if (!this.#api) throw new Error('CaptureView.start(api) was not called');
    return this.#api;
  }

  /** Import progress in percent of the file's bytes. */
  get percent(): number {
    const status = this.status;
    return status && status.totalBytes > 0 ? Math.round((status.bytesRead / status.totalBytes) * 100) : 0;
  }

  /** The bytes of the selected field, for the hex pane. */
  get highlight(): { offset: number; length: number } | undefined {
    return this.selectedNode ? { offset: this.selectedNode.offset, length: this.selectedNode.length } : undefined;
  }

  /** The import ended without anything to show (not a capture, unreadable): an error state, not empty panes. */
  get failed(): boolean {
    return this.status?.state === 'failed' && this.status.rows === 0;
  }

  /**
   * Listens to the import's progress and to files the shell asks to open, opens the file the app
   * was launched with, and starts the list over whenever the filter changes. Returns the function that stops.
   */
  start(api: Api): () => void {
    this.#api = api;
    const offs = [
      api.on('capture.progress', (next) => {
        if (!this.status || next.id !== this.status.id) return;
        const ended = this.status.state === 'importing' && next.state !== 'importing';
        this.#show(next);
        if (ended) this.#importEnded(next);
      }),
      api.on('capture.openRequested', ({ path }) => void this.openPath(path)),
      $effect.root(() => {
        $effect(() => {
          const filter = this.filter;
          untrack(() => this.#startListOver(filter));
        });
      }),
    ];
    api
      .invoke('capture.launchFiles', {})
      .then(({ paths }) => (paths[0] ? this.openPath(paths[0]) : undefined))
      .catch(() => undefined);
    return () => offs.forEach((off) => off());
  }

  /**
   * Opens a capture the backend can read by path; `name` is what to call it (an upload's own
   * file name). The same path asked again while it opens (a double click) is the same open.
   */
  async openPath(path: string, options: { remember?: boolean; name?: string } = {}): Promise<void> {
    const wanted = path.trim();
    if (!wanted) return;
    if (this.busy && this.#openingPath === wanted) return;
    const mine = ++this.#opening;
    this.#openingPath = wanted;
    this.busy = true;
    try {
      const previous = this.status;
      this.#forgetCapture();
      this.status = undefined;
      if (previous) await this.api.invoke('capture.close', { id: previous.id }).catch(() => undefined);
      const status = await this.api.invoke('capture.open', { path: wanted, ...(options.name ? { name: options.name } : {}) });
      if (mine !== this.#opening) {
        // A newer open took over while this one was on its way: this capture is nobody's.
        await this.api.invoke('capture.close', { id: status.id }).catch(() => undefined);
        return;
      }
      this.problem = undefined;
      this.#remember = (options.remember ?? true) ? wanted : undefined;
      this.#show(status);
      if (status.state !== 'importing') this.#importEnded(status);
    } catch (error) {
      if (mine === this.#opening) this.#fail(error);
    } finally {
      if (mine === this.#opening) {
        this.busy = false;
        this.#openingPath = undefined;
      }
    }
  }

  #openingPath: string | undefined;
  /** The path to add to Recent once its import ends well (a failed one never enters it). */
  #remember: string | undefined;

  /** Browser mode: a picked or dropped file goes to the backend first, then opens under its own name. */
  async openFile(file: File): Promise<void> {
    this.busy = true;
    let path: string;
    try {
      path = await uploadCapture(file);
    } catch (error) {
      this.#fail(error);
      return;
    } finally {
      this.busy = false;
    }
    await this.openPath(path, { remember: false, name: file.name });
  }

  /** The desktop app's open dialog. */
  async pickFile(): Promise<void> {
    try {
      const { path } = await this.api.invoke('capture.pickFile', {});
      if (path) await this.openPath(path);
    } catch (error) {
      this.#fail(error);
    }
  }

  async cancel(): Promise<void> {
    const status = this.status;
    if (!status) return;
    const next = await this.api.invoke('capture.cancel', { id: status.id }).catch(() => status);
    if (this.status?.id === next.id) this.#show(next);
  }

  /** The list shows rows first..last: fetch them when any is missing. */
  showRange(first: number, last: number): void {
    this.#visible = { first, last };
    for (let i = first; i <= last; i++) {
      if (!this.rows.has(i)) {
        void this.#fetchRows();
        return;
      }
    }
  }

  /** The conversation shows lines first..last: fetch them when any is missing. */
  showConversationRange(first: number, last: number): void {
    this.#conversationVisible = { first, last };
    for (let i = first; i <= Math.min(last, this.conversationTotal - 1); i++) {
      if (!this.conversation.has(i)) {
        void this.#fetchConversation();
        return;
      }
    }
  }

  async select(index: number): Promise<void> {
    this.selectedIndex = index;
    const row = this.rows.get(index);
    const status = this.status;
    if (!row || !status) return;
    try {
      const loaded = await this.#invoke(status, 'capture.detail', { id: status.id, row: row.row });
      // Arrow keys outrun the backend: an answer for a row no longer selected is dropped.
      if (this.selectedIndex !== index) return;
      this.detail = loaded;
      this.detailIndex = index;
      this.selectedNode = undefined;
    } catch (error) {
      this.#fail(error);
    }
  }

  selectNode(node: CaptureNode | undefined): void {
    this.selectedNode = node;
  }

  /** A click on a byte of the hex pane selects the innermost field that covers it. */
  pickByte(offset: number): void {
    if (!this.detail) return;
    this.selectedNode = nodeAtOffset(this.detail.tree, offset) as CaptureNode | undefined;
  }

  /**
   * Selects a conversation line and the message that carried its command (a PIN entry: its
   * Secure), which `reveal` scrolls into the list's view (the list owns its scrolling).
   */
  async selectTransaction(t: CaptureTransaction, reveal: (index: number) => void): Promise<void> {
    this.selectedTransaction = t.index;
    const status = this.status;
    if (!status || t.row < 0) return;
    try {
      const { index } = await this.#invoke(status, 'capture.indexOf', { id: status.id, row: t.row, filter: this.filter });
      if (index < 0) {
        this.problem = 'That transaction is hidden by the filters.';
        return;
      }
      reveal(index);
      this.#visible = { first: index, last: index + 40 };
      await this.#fetchRows();
      await this.select(index);
    } catch (error) {
      this.#fail(error);
    }
  }

  /** A conversation line by index, from the cache or the backend (the plot's hover and click). */
  async entry(index: number): Promise<CaptureTransaction | undefined> {
    const cached = this.conversation.get(index);
    if (cached) return cached;
    const status = this.status;
    if (!status) return undefined;
    try {
      const { transactions } = await this.#invoke(status, 'capture.transactions', { id: status.id, start: index, count: 1 });
      return transactions[0];
    } catch (error) {
      this.#fail(error);
      return undefined;
    }
  }

  /**
   * Loads the timing plot's points for a range, `columns` pixels wide. A newer request wins;
   * the range is kept within the capture.
   */
  async loadTiming(range: TimingRange, columns: number): Promise<void> {
    const status = this.status;
    if (!status) return;
    const mine = ++this.#timingRequest;
    try {
      const timing = await this.#invoke(status, 'capture.timing', {
        id: status.id,
        columns: Math.max(1, Math.min(MAX_TIMING_COLUMNS, Math.round(columns))),
        ...(range ? { fromMs: range.fromMs, toMs: range.toMs } : {}),
      });
      if (mine === this.#timingRequest) this.timing = timing;
    } catch (error) {
      this.#fail(error);
    }
  }

  /** The capture (or the selected message) as a file's contents, for the caller to save. */
  async exportCapture(choice: ExportChoice): Promise<CaptureExport | undefined> {
    const status = this.status;
    if (!status) return undefined;
    const row = this.rows.get(this.selectedIndex);
    try {
      return await this.#invoke(status, 'capture.export', {
        id: status.id,
        format: choice.format,
        redactPins: choice.redactPins,
        ...(choice.selectionOnly && row ? { range: { start: row.row, count: 1 } } : {}),
      });
    } catch (error) {
      this.#fail(error);
      return undefined;
    }
  }

  /** Calls a channel about `status`'s capture; an answer that arrives after it was replaced is Superseded. */
  async #invoke<C extends ChannelName>(status: CaptureStatus, channel: C, args: ArgsOf<C>): Promise<ResultOf<C>> {
    try {
      const result = await this.api.invoke(channel, args);
      if (this.status?.id !== status.id) throw new Superseded();
      return result;
    } catch (error) {
      if (this.status?.id !== status.id) throw new Superseded();
      throw error;
    }
  }

  #fail(error: unknown): void {
    // About a capture already replaced: nothing the user asked for now went wrong.
    if (error instanceof Superseded) return;
    this.problem = errorText(error);
  }

  /**
   * A new status (just opened, import progress, cancelled): the rows may have changed with it —
   * a command's masking is decided when its exchange completes, problems are flagged at the end
   * of the import — so the list starts over.
   */
  #show(status: CaptureStatus): void {
    this.status = status;
    this.#startListOver(this.filter);
  }

  /** The import ended: the conversation and the plot load, and a capture that opened well joins Recent. */
  #importEnded(status: CaptureStatus): void {
    if (this.#remember !== undefined && !(status.state === 'failed' && status.rows === 0)) this.recent = rememberRecentFile(this.#remember);
    this.#remember = undefined;
    this.#startConversationOver();
  }

  #startListOver(filter: CaptureFilter): void {
    this.selectedIndex = -1;
    this.detail = undefined;
    void this.#fetchRows(true, filter);
  }

  #startConversationOver(): void {
    this.#conversationGeneration++;
    this.conversation.clear();
    this.selectedTransaction = -1;
    void this.#fetchConversation(true);
  }

  #forgetCapture(): void {
    this.#generation++;
    this.#conversationGeneration++;
    this.#timingRequest++;
    this.rows.clear();
    this.matched = 0;
    this.selectedIndex = -1;
    this.detail = undefined;
    this.selectedNode = undefined;
    this.conversation.clear();
    this.conversationTotal = 0;
    this.selectedTransaction = -1;
    this.timing = undefined;
  }

  /** Fetches the rows around the visible range (and the new count); `clear` starts the cache over. */
  async #fetchRows(clear = false, filter = this.filter): Promise<void> {
    const status = this.status;
    if (!status) return;
    const mine = clear ? ++this.#generation : this.#generation;
    const start = Math.max(0, this.#visible.first - ROWS_AROUND);
    const count = Math.min(MAX_CAPTURE_WINDOW, this.#visible.last - this.#visible.first + 2 * ROWS_AROUND);
    try {
      const result = await this.#invoke(status, 'capture.rows', { id: status.id, start, count, filter });
      if (mine !== this.#generation) return;
      if (clear) this.rows.clear();
      result.rows.forEach((row, i) => this.rows.set(start + i, row));
      this.matched = result.matched;
    } catch (error) {
      this.#fail(error);
    }
  }

  async #fetchConversation(clear = false): Promise<void> {
    const status = this.status;
    if (!status) return;
    const mine = clear ? ++this.#conversationGeneration : this.#conversationGeneration;
    const { first, last } = this.#conversationVisible;
    const start = Math.max(0, first - ROWS_AROUND);
    const count = Math.min(MAX_CAPTURE_WINDOW, last - first + 2 * ROWS_AROUND);
    try {
      const result = await this.#invoke(status, 'capture.transactions', { id: status.id, start, count });
      if (mine !== this.#conversationGeneration) return;
      if (clear) this.conversation.clear();
      result.transactions.forEach((t, i) => this.conversation.set(start + i, t));
      this.conversationTotal = result.total;
    } catch (error) {
      this.#fail(error);
    }
  }
}
