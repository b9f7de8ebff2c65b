/**
 * Saving what the backend or a workbench produced (reports, exports, profiles) as a file, through
 * the browser's download: the same path in browser mode and in Electron.
 */

/** Saves `text` under `fileName`; UTF-8 unless the type already names a charset. */
export function downloadText(fileName: string, text: string, mimeType = 'text/plain'): void {
  const type = /;\s*charset=/i.test(mimeType) ? mimeType : `${mimeType};charset=utf-8`;
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  // Firefox follows a click only on a link that is in the document.
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked later, not at once: a large download may still be reading the blob.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** 'ACME Reader 00 00' → 'acme-reader-00-00', for file names. */
export function fileSafe(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'reader'
  );
}
