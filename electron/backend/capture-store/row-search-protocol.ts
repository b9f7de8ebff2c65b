/**
 * Messages between a capture session and its search worker (row-search-worker.ts). The rows'
 * columns and the arena's blocks live in SharedArrayBuffers: a search sends the current views,
 * the worker reads them in place.
 */
import type { RowColumns } from './row-columns.js';

/** The columns a search reads, as the session holds them now (they are replaced as they grow). */
export type SharedColumns = Omit<RowColumns, 'push' | 'findByFrame' | 'findByFrameAnywhere'>;

export interface RowSearchRequest {
  id: number;
  /** Trimmed and lowercased, as the filter compares. */
  text: string;
  /** Rows [from, rows) are searched. */
  from: number;
  rows: number;
  columns: SharedColumns;
  blocks: readonly Uint8Array[];
  /** Device names by index (they only grow). */
  devices: readonly string[];
}

export interface RowSearchReply {
  id: number;
  /** Bit r set: row r matches (bits for rows [request.from, request.rows), the others clear). */
  bits: Uint8Array;
}
