/**
 * How the transport protocol shapes an application's answer into the response APDU, as a card does at the
 * APDU level (ISO 7816-3 §12.2, ISO 7816-4 §5.3):
 * - T=1: up to Ne bytes go straight out (extended Le included); more than Ne leaves the rest for GET RESPONSE (61xx).
 * - T=0: a command without Le (case 1/3, and case 4 whose Le the TPDU drops) gets 61xx when there is data;
 *   case 2 must ask for exactly what is there, else 6Cxx tells the right Le; Le 00 (256) over a longer answer
 *   gets 256 bytes and 61xx for the rest.
 */
import { SW, responseBytes, type Answer } from './answer.js';
import type { CardProtocol } from './virtual-card.js';

export interface ShapedResponse {
  bytes: Uint8Array;
  /** What GET RESPONSE will return next (undefined: nothing pending). */
  pending: Answer | undefined;
  /** 6Cxx: the command must be repeated with another Le; nothing was delivered. */
  wrongLe: boolean;
}

export interface ShapeRequest {
  protocol: CardProtocol;
  answer: Answer;
  /** Ne from the command (256 when absent). */
  ne: number;
  /** Whether the APDU carried an Le the card honours (under T=0 only case 2 does). */
  leExplicit: boolean;
}

const SHORT_MAX = 256;

export function shapeResponse({ protocol, answer, ne, leExplicit }: ShapeRequest): ShapedResponse {
  const { data, sw } = answer;
  if (data.length === 0) return delivered(responseBytes(data, sw));
  if (protocol === 'T=1') {
    if (data.length <= ne) return delivered(responseBytes(data, sw));
    return moreData(data.subarray(0, ne), { data: data.subarray(ne), sw });
  }
  if (!leExplicit) return moreData(new Uint8Array(0), answer);
  if (data.length === ne) return delivered(responseBytes(data, sw));
  if (data.length > ne && ne === SHORT_MAX) return moreData(data.subarray(0, ne), { data: data.subarray(ne), sw });
  return { bytes: responseBytes(new Uint8Array(0), 0x6c00 | (Math.min(data.length, SHORT_MAX) & 0xff)), pending: undefined, wrongLe: true };
}

function delivered(bytes: Uint8Array): ShapedResponse {
  return { bytes, pending: undefined, wrongLe: false };
}

/** 61xx: xx bytes (00: 256 or more) wait for GET RESPONSE. */
function moreData(now: Uint8Array, rest: Answer): ShapedResponse {
  const count = Math.min(rest.data.length, SHORT_MAX) & 0xff;
  return { bytes: responseBytes(now, 0x6100 | count), pending: rest, wrongLe: false };
}

/** GET RESPONSE without anything pending. */
export const NOTHING_PENDING = SW.CONDITIONS_NOT_SATISFIED;
