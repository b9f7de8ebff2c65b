/**
 * The Captures workbench's state: the open capture and its import, the filter, the window of
 * message rows the list shows, the selected message's decode, and the APDU conversation.
 * Components read it and call its methods; nothing here touches the DOM.
 *
 * The renderer never holds a whole capture (ARCHITECTURE.md, rule 4): `rows` caches the rows
 * around what the list shows, by their index in the filtered view, and one message's decode is
 * asked for when it is selected. The backend's answers can arrive out of order (arrow keys
 * outrun it, the filter changes while rows are on their way): a `generation` drops rows meant
 * for a list that has started over, and a detail for a row no longer selected is dropped.
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
  CaptureTransaction,
} from '#core/ipc/channels/captures.js';
import { MAX_CAPTURE_WINDOW } from '#core/ipc/channels/captures.js';
import type { Api } from '#core/ipc/contract.js';
import { nodeAtOffset } from '#core/dissect/node.js';
import { emptyFilterFields, filterFrom, type FilterFields } from './capture-filter.js';
import { loadRecentFiles, rememberRecentFile } from './recent-files.js';
import { uploadCapture } from './upload-capture.js';

/** Transactions loaded for the conversation and the timing plot (the rest are counted). */
export const PLOT_LIMIT = 2000;
/** Rows fetched beyond each end of what the list shows, so a short scroll finds them there. */
const ROWS_AROUND = 50;

export type ExportFormat = 'json' | 'text' | 'script';

export interface ExportChoice {
  format: ExportFormat;
  redactPins: boolean;
  /** Only the selected message (when one is selected). */
  selectionOnly: boolean;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class CaptureView {
  status = $state<CaptureStatus | undefined>(undefined);
  problem = $state<string | undefined>(undefined);
  busy = $state(false);
  recent = $state<string[]>(loadRecentFiles());

  /** The filter bar as typed. */
  fields = $state<FilterFields>(emptyFilterFields());
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

  transactions = $state<CaptureTransaction[]>([]);
  transactionTotal = $state(0);
  selectedTransaction = $state(-1);

  #api: Api | undefined;
  #generation = 0;
  #visible = { first: 0, last: 0 };

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

  /**
   * Listens to the import's progress and to files the shell asks to open, opens the file the app
   * was launched with, and starts the list over whenever the filter changes. Returns the function that stops.
   */
  start(api: Api): () => void {
    this.#api = api;
    const offs = [
      api.on('capture.progress', (next) => {
        if (!this.status || next.id !== this.status.id) return;
        this.#show(next);
        if (next.state !== 'importing') void this.#loadTransactions();
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

  /** Opens a capture the backend can read by path; `name` is what to call it (an upload's own file name). */
  async openPath(path: string, options: { remember?: boolean; name?: string } = {}): Promise<void> {
    if (!path.trim()) return;
    this.problem = undefined;
    this.busy = true;
    try {
      if (this.status) await this.api.invoke('capture.close', { id: this.status.id }).catch(() => undefined);
      this.#forgetCapture();
      const status = await this.api.invoke('capture.open', { path: path.trim(), ...(options.name ? { name: options.name } : {}) });
      if (options.remember ?? true) this.recent = rememberRecentFile(path.trim());
      this.#show(status);
    } catch (error) {
      this.#fail(error);
    } finally {
      this.busy = false;
    }
  }

  /** Browser mode: a picked or dropped file goes to the backend first, then opens under its own name. */
  async openFile(file: File): Promise<void> {
    this.problem = undefined;
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
    this.#show(await this.api.invoke('capture.cancel', { id: status.id }).catch(() => status));
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

  async select(index: number): Promise<void> {
    this.selectedIndex = index;
    const row = this.rows.get(index);
    const status = this.status;
    if (!row || !status) return;
    try {
      const loaded = await this.api.invoke('capture.detail', { id: status.id, row: row.row });
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
   * Selects a transaction and the message that carried its command, which `reveal` scrolls into
   * the list's view (the list owns its scrolling).
   */
  async selectTransaction(t: CaptureTransaction, reveal: (index: number) => void): Promise<void> {
    this.selectedTransaction = t.index;
    const status = this.status;
    if (!status || t.row < 0) return;
    try {
      const { index } = await this.api.invoke('capture.indexOf', { id: status.id, row: t.row, filter: this.filter });
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

  /** The capture (or the selected message) as a file's contents, for the caller to save. */
  async exportCapture(choice: ExportChoice): Promise<CaptureExport | undefined> {
    const status = this.status;
    if (!status) return undefined;
    const row = this.rows.get(this.selectedIndex);
    try {
      return await this.api.invoke('capture.export', {
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

  #fail(error: unknown): void {
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

  #startListOver(filter: CaptureFilter): void {
    this.selectedIndex = -1;
    this.detail = undefined;
    void this.#fetchRows(true, filter);
  }

  #forgetCapture(): void {
    this.#generation++;
    this.rows.clear();
    this.matched = 0;
    this.selectedIndex = -1;
    this.detail = undefined;
    this.selectedNode = undefined;
    this.transactions = [];
    this.transactionTotal = 0;
    this.selectedTransaction = -1;
  }

  /** Fetches the rows around the visible range (and the new count); `clear` starts the cache over. */
  async #fetchRows(clear = false, filter = this.filter): Promise<void> {
    const status = this.status;
    if (!status) return;
    const mine = clear ? ++this.#generation : this.#generation;
    const start = Math.max(0, this.#visible.first - ROWS_AROUND);
    const count = Math.min(MAX_CAPTURE_WINDOW, this.#visible.last - this.#visible.first + 2 * ROWS_AROUND);
    try {
      const result = await this.api.invoke('capture.rows', { id: status.id, start, count, filter });
      if (mine !== this.#generation) return;
      if (clear) this.rows.clear();
      result.rows.forEach((row, i) => this.rows.set(start + i, row));
      this.matched = result.matched;
    } catch (error) {
      this.#fail(error);
    }
  }

  async #loadTransactions(): Promise<void> {
    const status = this.status;
    if (!status) return;
    const loaded: CaptureTransaction[] = [];
    let total: number;
    try {
      do {
        const result = await this.api.invoke('capture.transactions', {
          id: status.id,
          start: loaded.length,
          count: MAX_CAPTURE_WINDOW,
        });
        total = result.total;
        loaded.push(...result.transactions);
        if (result.transactions.length === 0) break;
      } while (loaded.length < Math.min(total, PLOT_LIMIT));
    } catch (error) {
      this.#fail(error);
      return;
    }
    this.transactions = loaded;
    this.transactionTotal = total;
  }
}
