/**
 * The live reader list both workbenches show: asked once, then kept current by the
 * readers.changed event (pcscd stopping/starting, cards in and out).
 */
import type { ReaderList } from '#core/ipc/channels/readers.js';
import type { Api } from '#core/ipc/contract.js';

export class LiveReaderList {
  list = $state<ReaderList | undefined>(undefined);
  problem = $state<string | undefined>(undefined);

  /**
   * Starts listening; returns the function that stops. `onList` follows the list too (the first
   * answer and every change), for a caller that acts on it rather than only showing it.
   */
  start(api: Api, onList?: (list: ReaderList) => void): () => void {
    const take = (list: ReaderList): void => {
      this.list = list;
      onList?.(list);
    };
    const off = api.on('readers.changed', take);
    api
      .invoke('readers.list', {})
      .then(take)
      .catch((error: unknown) => (this.problem = error instanceof Error ? error.message : String(error)));
    return off;
  }

  /** Why no reader can be used, one sentence per backend that is down. */
  get downReasons(): string[] {
    return (this.list?.backends ?? []).filter((b) => !b.status.available).map((b) => b.status.reason ?? `${b.kind} is not available.`);
  }
}
