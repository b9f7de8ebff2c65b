import { TraceDecoder, TraceJsonWriter, TraceNdjsonWriter, TraceTranscriptWriter } from '#core/trace/index.js';

/** Pieces of output (strings and UTF-8 bytes) as the text a reader of the output gets. */
export function textOf(pieces: readonly (string | Uint8Array)[]): string {
  const decoder = new TextDecoder();
  return pieces.map((p) => (typeof p === 'string' ? p : decoder.decode(p))).join('');
}

/**
 * What decode --json, --text and --ndjson write when each exchange is written as it is decoded
 * (the decoder keeps no exchanges and folds no transactions, as in the CLI's worker).
 */
export function streamedOutputs(bytes: Uint8Array, file: string, redact: boolean): { json: string; text: string; ndjson: string } {
  const json = new TraceJsonWriter({ redactPins: redact });
  const text = new TraceTranscriptWriter({ redactPins: redact });
  const ndjson = new TraceNdjsonWriter({ redactPins: redact });
  const decoder = new TraceDecoder({
    file,
    keepExchanges: false,
    foldTransactions: false,
    handlers: {
      rawExchange: (e) => {
        json.exchange(e);
        text.exchange(e);
        ndjson.exchange(e);
      },
    },
  });
  decoder.push(bytes);
  decoder.end();
  const report = decoder.result();
  return { json: textOf(json.finish(report)), text: textOf(text.finish(report)), ndjson: textOf(ndjson.take()) };
}
