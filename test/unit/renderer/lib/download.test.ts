import { afterEach, describe, expect, it, vi } from 'vitest';
import { downloadText, fileSafe } from '../../../../renderer/src/lib/download.js';

interface Saved {
  fileName: string;
  blob: Blob;
  inDocument: boolean;
}

/** Records what the browser is handed: the blob behind the link and the link as it is clicked. */
function recordDownloads(): Saved[] {
  const saved: Saved[] = [];
  const blobs = new Map<string, Blob>();
  const create = URL.createObjectURL.bind(URL);
  vi.spyOn(URL, 'createObjectURL').mockImplementation((blob: Blob | MediaSource) => {
    const url = create(blob);
    blobs.set(url, blob as Blob);
    return url;
  });
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    saved.push({ fileName: this.download, blob: blobs.get(this.href)!, inDocument: this.isConnected });
  });
  return saved;
}

afterEach(() => vi.restoreAllMocks());

describe('downloadText', () => {
  it('saves the text under the file name, as UTF-8 of the given type, from a link in the document', async () => {
    const saved = recordDownloads();
    downloadText('report.json', '{"ü":1}', 'application/json');
    downloadText('notes.txt', 'plain ✓');
    expect(saved.map((s) => [s.fileName, s.blob.type, s.inDocument])).toEqual([
      ['report.json', 'application/json;charset=utf-8', true],
      ['notes.txt', 'text/plain;charset=utf-8', true],
    ]);
    expect(await saved[0]!.blob.text()).toBe('{"ü":1}');
    expect(await saved[1]!.blob.text()).toBe('plain ✓');
    // The link is only there for the click.
    expect(document.querySelectorAll('a[download]')).toHaveLength(0);
  });

  it('keeps a charset the type already names', () => {
    const saved = recordDownloads();
    downloadText('legacy.txt', 'x', 'text/plain; charset=iso-8859-1');
    expect(saved[0]!.blob.type).toBe('text/plain; charset=iso-8859-1');
  });
});

describe('fileSafe', () => {
  it('turns a reader name into a lower-case file name part', () => {
    expect(fileSafe('ACME Reader [CCID] 00 00')).toBe('acme-reader-ccid-00-00');
    expect(fileSafe('***')).toBe('reader');
  });
});
