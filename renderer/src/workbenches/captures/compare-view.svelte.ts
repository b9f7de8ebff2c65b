/**
 * The Captures workbench's comparison ("Compare with…"): the open capture (A) against another
 * trace (B), compared in the backend (`compare.open`, as `cardbench diff`), and the aligned rows
 * fetched by window as the side-by-side list scrolls — all rows, or the differences only.
 * Answers for a comparison no longer shown (a newer one, the switch between all rows and
 * differences) are dropped by a generation count.
 */
import { SvelteMap } from 'svelte/reactivity';
import type { CompareRow, CompareSummary } from '#core/ipc/channels/compare.js';
import { MAX_CAPTURE_WINDOW } from '#core/ipc/channels/values.js';
import type { Api } from '#core/ipc/contract.js';
import { errorText } from './capture-view.svelte.js';
import { uploadCapture } from './upload-capture.js';

const ROWS_AROUND = 50;

export interface TraceRef {
  path: string;
  name?: string;
}

export class CompareView {
  /** The comparison shown; undefined when none is. */
  summary = $state<CompareSummary | undefined>(undefined);
  /** The form asking for the second trace is open. */
  asking = $state(false);
  /** The form asking for a reader to replay the capture on is open. */
  replaying = $state(false);
  /** The replay in progress: commands sent of how many (undefined while the trace is read). */
  progress = $state<{ sent: number; total: number } | undefined>(undefined);
  /** Readers holding a card, for the replay form. */
  readers = $state<{ id: string; name: string }[]>([]);
  busy = $state(false);
  problem = $state<string | undefined>(undefined);
  differencesOnly = $state(true);
  /** Rows of the current view (all or differences), by position in it. */
  rows = new SvelteMap<number, CompareRow>();
  total = $state(0);
  selected = $state(-1);

  #api: Api | undefined;
  #generation = 0;
  #visible = { first: 0, last: 40 };

  start(api: Api): () => void {
    this.#api = api;
    return api.on('compare.replayProgress', (progress) => {
      if (this.busy) this.progress = progress;
    });
  }

  /** Compares A with the trace at `b` (a path the backend reads). */
  async compare(a: TraceRef, b: TraceRef): Promise<void> {
    await this.#replace((api) => api.invoke('compare.open', { a, b }));
  }

  /** Opens the replay form with the readers that hold a card. */
  async askReplay(): Promise<void> {
    const api = this.#api;
    if (!api) return;
    this.asking = false;
    this.replaying = true;
    this.problem = undefined;
    try {
      const list = await api.invoke('readers.list', {});
      this.readers = list.readers.filter((r) => r.cardPresent).map((r) => ({ id: r.id, name: r.name }));
    } catch (error) {
      this.problem = errorText(error);
    }
  }

  /** Sends the trace's commands to `reader` again and shows the comparison with the recorded answers. */
  async replay(trace: TraceRef, reader: string, options: { withPins: boolean; stopOnDifference: boolean }): Promise<void> {
    await this.#replace((api) => {
      this.progress = undefined;
      return api.invoke('compare.replay', { trace, readers: reader ? [reader] : [], ...options });
    });
  }

  /**
   * Runs one comparison and shows it in place of the one shown (closed in the backend). One at a
   * time; a result that a newer request overtook is dropped, as is its error.
   */
  async #replace(make: (api: Api) => Promise<CompareSummary>): Promise<void> {
    const api = this.#api;
    if (!api || this.busy) return;
    this.busy = true;
    this.problem = undefined;
    const mine = ++this.#generation;
    try {
      const previous = this.summary;
      const summary = await make(api);
      if (previous) await api.invoke('compare.close', { id: previous.id }).catch(() => undefined);
      if (mine !== this.#generation) return;
      this.#show(summary);
      await this.#fetch(true);
    } catch (error) {
      if (mine === this.#generation) this.problem = errorText(error);
    } finally {
      this.busy = false;
    }
  }

  /** Stops the replay in progress; what was sent is still compared. */
  async stopReplay(): Promise<void> {
    await this.#api?.invoke('compare.stopReplay', {}).catch(() => undefined);
  }

  #show(summary: CompareSummary): void {
    this.summary = summary;
    this.asking = false;
    this.replaying = false;
    this.selected = -1;
    this.rows.clear();
    this.total = this.differencesOnly ? summary.differences : summary.rows;
  }

  /** Browser mode: the picked file goes to the backend first (as an open does), then is compared. */
  async compareWithFile(a: TraceRef, file: File): Promise<void> {
    try {
      const path = await uploadCapture(file);
      await this.compare(a, { path, name: file.name });
    } catch (error) {
      this.problem = errorText(error);
    }
  }

  /** The desktop app's open dialog for B. */
  async pickAndCompare(a: TraceRef): Promise<void> {
    const api = this.#api;
    if (!api) return;
    try {
      const { path } = await api.invoke('capture.pickFile', {});
      if (path) await this.compare(a, { path });
    } catch (error) {
      this.problem = errorText(error);
    }
  }

  setDifferencesOnly(value: boolean): void {
    if (value === this.differencesOnly) return;
    this.differencesOnly = value;
    this.selected = -1;
    if (this.summary) this.total = value ? this.summary.differences : this.summary.rows;
    void this.#fetch(true);
  }

  /** The list shows rows first..last: fetch them when any is missing. */
  showRange(first: number, last: number): void {
    this.#visible = { first, last };
    for (let i = first; i <= Math.min(last, this.total - 1); i++) {
      if (!this.rows.has(i)) {
        void this.#fetch(false);
        return;
      }
    }
  }

  /** Back to the capture alone. */
  async close(): Promise<void> {
    const summary = this.summary;
    ++this.#generation;
    this.summary = undefined;
    this.asking = false;
    this.replaying = false;
    this.problem = undefined;
    this.rows.clear();
    this.total = 0;
    if (summary) await this.#api?.invoke('compare.close', { id: summary.id }).catch(() => undefined);
  }

  async #fetch(clear: boolean): Promise<void> {
    const api = this.#api;
    const summary = this.summary;
    if (!api || !summary) return;
    const mine = clear ? ++this.#generation : this.#generation;
    const { first, last } = this.#visible;
    const start = clear ? 0 : Math.max(0, first - ROWS_AROUND);
    const count = Math.min(MAX_CAPTURE_WINDOW, last - first + 2 * ROWS_AROUND);
    try {
      const result = await api.invoke('compare.rows', { id: summary.id, start, count, differencesOnly: this.differencesOnly });
      if (mine !== this.#generation) return;
      if (clear) this.rows.clear();
      result.rows.forEach((row, i) => this.rows.set(start + i, row));
      this.total = result.total;
    } catch (error) {
      if (mine === this.#generation) this.problem = errorText(error);
    }
  }
}
