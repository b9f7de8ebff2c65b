/** A command as the applications see it, once the card has checked CLA, lengths and protocol. */
export interface CardCommand {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  /** Command data (empty when there is no Lc). */
  data: Uint8Array;
  /** Whether an Lc field was present: VERIFY without Lc is the status query. */
  hasData: boolean;
  /** Ne: how many bytes the host accepts (256 when Le was absent, so applications can build their answer). */
  ne: number;
  /** Whether the host sent an Le: READ BINARY warns 6282 only when it fell short of an explicit Le. */
  leExplicit: boolean;
}
