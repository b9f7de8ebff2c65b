import type { ShellKind } from '#core/ipc/app-info.js';
import type { EventMap, EventName } from '#core/ipc/contract.js';

export type BackendEvent = { [E in EventName]: { event: E; payload: EventMap[E] } }[EventName];

/** What each domain's handlers get from the backend. */
export interface HandlerContext {
  shell: ShellKind;
  /** Sends an event to every window / WebSocket. */
  emit(event: BackendEvent): void;
  /** Registers cleanup to run when the backend is disposed (close connections, stop monitors). */
  onDispose(cleanup: () => void | Promise<void>): void;
}
