/** Runs a container reader over bytes (optionally in small chunks) and copies out what it saw. */
import type { ByteSink, CaptureInterface, CaptureProblem, ContainerHandlers } from '#core/capture/index.js';

export interface SeenRecord {
  frame: number;
  interfaceIndex: number;
  linkType: number;
  timeNs: number;
  originalLength: number;
  data: number[];
}

export interface Seen {
  interfaces: CaptureInterface[];
  records: SeenRecord[];
  problems: CaptureProblem[];
  start: bigint | undefined;
}

export function runContainer(make: (h: ContainerHandlers) => ByteSink, bytes: Uint8Array, chunkSize = bytes.length || 1): Seen {
  const seen: Seen = { interfaces: [], records: [], problems: [], start: undefined };
  const reader = make({
    interface: (i) => seen.interfaces.push(i),
    problem: (p) => seen.problems.push(p),
    start: (ns) => (seen.start = ns),
    record: (r) =>
      seen.records.push({
        frame: r.frame,
        interfaceIndex: r.interfaceIndex,
        linkType: r.linkType,
        timeNs: r.timeNs,
        originalLength: r.originalLength,
        data: Array.from(r.buffer.subarray(r.offset, r.offset + r.capturedLength)),
      }),
  });
  for (let at = 0; at < bytes.length; at += chunkSize) reader.push(bytes.subarray(at, at + chunkSize));
  reader.end();
  return seen;
}
