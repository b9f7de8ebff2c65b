/**
 * Browser mode: a dropped or picked file is streamed to the backend (`PUT /upload`, same origin,
 * the access cookie rides along) and opened from the temporary path the server answers.
 */
/** What the file pickers offer: USB captures, our recordings (.pcapng) and pcsc-spy logs, all of which Captures opens. */
export const TRACE_FILE_ACCEPT = '.pcapng,.pcap,.cap,.log,.txt';

export async function uploadCapture(file: Blob & { name: string }, fetchImpl: typeof fetch = fetch): Promise<string> {
  const response = await fetchImpl(`/upload?name=${encodeURIComponent(file.name)}`, {
    method: 'PUT',
    body: file,
    headers: { 'Content-Type': 'application/octet-stream' },
  });
  const body = (await response.json().catch(() => ({}))) as { path?: string; error?: string };
  if (!response.ok || typeof body.path !== 'string')
    throw new Error(`The upload of ${file.name} failed: ${body.error ?? `HTTP ${response.status}`}.`);
  return body.path;
}
