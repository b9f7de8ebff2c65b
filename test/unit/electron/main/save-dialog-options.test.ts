import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveDialogRequest } from '../../../../electron/main/save-dialog-options.js';

describe('saveDialogRequest', () => {
  it('suggests the export name in the folder given, with a filter for its kind', () => {
    expect(saveDialogRequest('virtual-pinpad-report.json', 'application/json', '/home/u/Downloads')).toEqual({
      title: 'Save export',
      defaultPath: join('/home/u/Downloads', 'virtual-pinpad-report.json'),
      filters: [
        { name: 'JSON', extensions: ['json'] },
        { name: 'All files', extensions: ['*'] },
      ],
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    });
    expect(saveDialogRequest('usb.script', 'text/plain', '/d').filters[0]).toEqual({ name: 'scriptor script', extensions: ['script'] });
  });

  it('keeps only the file name of a suggestion, so an export cannot pick its folder', () => {
    expect(saveDialogRequest('../../etc/passwd', 'text/plain', '/d').defaultPath).toBe(join('/d', 'passwd'));
    expect(saveDialogRequest('..\\..\\x.txt', 'text/plain', '/d').defaultPath).toBe(join('/d', 'x.txt'));
    expect(saveDialogRequest('.bashrc', 'text/plain', '/d').defaultPath).toBe(join('/d', 'bashrc'));
    expect(saveDialogRequest('..', 'text/plain', '/d').defaultPath).toBe(join('/d', 'cardbench-export.txt'));
  });

  it('offers only "All files" for a name without an extension', () => {
    expect(saveDialogRequest('session', 'text/plain', '/d').filters).toEqual([{ name: 'All files', extensions: ['*'] }]);
  });
});
