/**
 * What the pcap and pcapng readers share: the push side (a UnitSplitter cutting the byte stream
 * into records or blocks), the capture's time base, the frame count, the one record object handed
 * to the layer above (reused: nothing is allocated per packet), and the problem that stopped the
 * import. A format says only how its units are framed (headerLength, unitLength, unit, finish)
 * and what they mean.
 */
import { UnitSplitter, type ByteSink, type UnitFramer } from './byte-source.js';
import { newRecord, type CaptureInterface, type CaptureProblem, type ContainerHandlers } from './capture-types.js';
import { CaptureTimeBase } from './timestamps.js';

export abstract class ContainerReader implements ByteSink, UnitFramer {
  private readonly splitter = new UnitSplitter(this);
  private readonly record = newRecord();
  protected readonly timeBase: CaptureTimeBase;
  /** Packets seen so far; the current packet's number once counted. */
  protected frame = 0;
  private stop: CaptureProblem | undefined;

  constructor(protected readonly handlers: ContainerHandlers) {
    this.timeBase = new CaptureTimeBase((ns) => handlers.start?.(ns));
  }

  abstract get interfaces(): readonly CaptureInterface[];

  get startEpochNs(): bigint | undefined {
    return this.timeBase.startEpochNs;
  }
  get frameCount(): number {
    return this.frame;
  }
  /** Why the file could not be read to its end (a unit cut short, a length no unit can have…). */
  get stoppedBy(): CaptureProblem | undefined {
    return this.stop;
  }

  push(chunk: Uint8Array): void {
    this.splitter.push(chunk);
  }
  end(): void {
    this.splitter.end();
  }

  abstract headerLength(): number;
  abstract unitLength(bytes: Uint8Array, view: DataView, offset: number, fileOffset: number): number;
  abstract unit(bytes: Uint8Array, view: DataView, offset: number, length: number, fileOffset: number): void;
  abstract finish(danglingBytes: number, expectedLength: number | undefined, fileOffset: number): void;

  /**
   * Hands the current frame's packet to the layer above: its data at `offset` in `bytes`
   * (`view` over the same bytes), as the container found it. Arguments, not an object: this runs
   * for every packet of the file, most of them dropped a moment later.
   *
   * @param comment opt_comment of the packet, when the container read it
   */
  protected emitPacket(
    iface: CaptureInterface,
    timeNs: number,
    bytes: Uint8Array,
    view: DataView,
    offset: number,
    capturedLength: number,
    originalLength: number,
    comment: string | undefined,
  ): void {
    const r = this.record;
    r.frame = this.frame;
    r.interfaceIndex = iface.index;
    r.linkType = iface.linkType;
    r.littleEndian = iface.littleEndian;
    r.timeNs = timeNs;
    r.originalLength = Math.max(originalLength, capturedLength);
    r.capturedLength = capturedLength;
    r.buffer = bytes;
    r.view = view;
    r.offset = offset;
    r.comment = comment;
    this.handlers.record(r);
  }

  protected problem(code: string, message: string, severity: 'warning' | 'error', fileOffset: number, frame?: number): CaptureProblem {
    const problem: CaptureProblem = { code, message, severity, fileOffset };
    if (frame !== undefined) problem.frame = frame;
    this.handlers.problem(problem);
    return problem;
  }

  /** The import cannot go on from here (the first such problem is the one kept); -1 tells the splitter. */
  protected fatal(code: string, message: string, fileOffset: number, frame?: number): number {
    this.stop ??= this.problem(code, `${message}; import stopped here`, 'error', fileOffset, frame);
    return -1;
  }

  /** The file ended inside a unit: what came before it stands, the import is incomplete. */
  protected cutShort(code: string, message: string, fileOffset: number, frame?: number): void {
    this.stop ??= this.problem(code, message, 'warning', fileOffset, frame);
  }

  /** The file ended before its header was whole: nothing could be read. */
  protected headerMissing(code: string, message: string, fileOffset: number): void {
    this.stop ??= this.problem(code, message, 'error', fileOffset);
  }
}
