/**
 * Problems of a capture file as a whole — cut inside a block, a broken section header, an
 * import that stopped — which no message row can carry. The problems badge explains them and
 * the problems filter lists them, so "1 problems" never points at an empty list.
 */
import type { CaptureFileProblem } from '#core/ipc/channels/captures.js';
import type { TraceReport } from '#core/trace/index.js';

/**
 * @param report the import's report (undefined when the import failed or was cancelled before it)
 * @param failure why the import stopped, when it did
 */
export function fileProblems(
  report: Pick<TraceReport, 'problems' | 'stoppedBy'> | undefined,
  failure: string | undefined,
): CaptureFileProblem[] {
  const out: CaptureFileProblem[] = [];
  const add = (problem: CaptureFileProblem): void => {
    const same = out.find((p) => p.code === problem.code && p.message === problem.message);
    if (!same) out.push(problem);
    else if (problem.fileOffset !== undefined) same.fileOffset ??= problem.fileOffset;
  };
  for (const p of report?.problems ?? []) if (p.frame === undefined) add({ code: p.code, message: p.message });
  const stop = report?.stoppedBy;
  if (stop) add({ code: stop.code, message: stop.message, ...(stop.fileOffset !== undefined ? { fileOffset: stop.fileOffset } : {}) });
  if (failure !== undefined) add({ code: 'import-failed', message: failure });
  return out;
}
