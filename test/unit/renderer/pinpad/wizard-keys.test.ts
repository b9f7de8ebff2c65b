import { describe, expect, it } from 'vitest';
import { secondsLeft, spacedHex, statusWordText, fieldHex } from '../../../../renderer/src/workbenches/pinpad/pinpad-format.js';
import { wizardKeyAction, type KeyContext } from '../../../../renderer/src/workbenches/pinpad/wizard-keys.js';

const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean; shiftKey: boolean }> = {}) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
});
const idle: KeyContext = { targetTag: 'BODY', keypadOpen: false, running: false };

describe('wizard keyboard', () => {
  it('runs on Ctrl/⌘+Enter from anywhere, even a text field', () => {
    expect(wizardKeyAction(key('Enter', { ctrlKey: true }), { ...idle, targetTag: 'INPUT' })).toEqual({ kind: 'run' });
    expect(wizardKeyAction(key('Enter', { metaKey: true }), { ...idle, targetTag: 'TEXTAREA' })).toEqual({ kind: 'run' });
  });

  it('runs on a plain Enter only where Enter means nothing else', () => {
    expect(wizardKeyAction(key('Enter'), idle)).toEqual({ kind: 'run' });
    for (const tag of ['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON', 'A', 'SUMMARY']) {
      expect(wizardKeyAction(key('Enter'), { ...idle, targetTag: tag })).toBeUndefined();
    }
    expect(wizardKeyAction(key('Enter'), { ...idle, targetTag: 'DIV', targetEditable: true })).toBeUndefined();
    expect(wizardKeyAction(key('Enter', { shiftKey: true }), idle)).toBeUndefined();
  });

  it('cancels on Escape only while a request runs', () => {
    expect(wizardKeyAction(key('Escape'), { ...idle, running: true })).toEqual({ kind: 'cancel' });
    expect(wizardKeyAction(key('Escape'), idle)).toBeUndefined();
  });

  it('jumps to steps with Alt+1..5 and leaves Ctrl+1..4 to the shell', () => {
    expect(wizardKeyAction(key('3', { altKey: true }), idle)).toEqual({ kind: 'step', index: 2 });
    expect(wizardKeyAction(key('6', { altKey: true }), idle)).toBeUndefined();
    expect(wizardKeyAction(key('2', { ctrlKey: true }), idle)).toBeUndefined();
  });

  it('gives digits, Enter, Escape and Backspace to the open keypad, and nothing else', () => {
    const keypad = { ...idle, keypadOpen: true, running: true };
    expect(wizardKeyAction(key('7'), keypad)).toEqual({ kind: 'keypad', key: '7' });
    expect(wizardKeyAction(key('Enter'), { ...keypad, targetTag: 'BUTTON' })).toEqual({ kind: 'keypad', key: 'ok' });
    expect(wizardKeyAction(key('Escape'), keypad)).toEqual({ kind: 'keypad', key: 'cancel' });
    expect(wizardKeyAction(key('Backspace'), keypad)).toEqual({ kind: 'keypad', key: 'clear' });
    expect(wizardKeyAction(key('a'), keypad)).toBeUndefined();
    expect(wizardKeyAction(key('7', { ctrlKey: true }), keypad)).toBeUndefined();
    expect(wizardKeyAction(key('Enter', { ctrlKey: true }), keypad)).toBeUndefined();
  });
});

describe('wizard number formats', () => {
  it('writes fields at their width, status words and bytes in pairs, and counts down to zero', () => {
    expect(fieldHex('bTimerOut', 0x1e)).toBe('0x1E');
    expect(fieldHex('wLangId', 0x409)).toBe('0x0409');
    expect(fieldHex('bTeoPrologue', 0)).toBe('0x000000');
    expect(fieldHex('ulDataLength', 13)).toBe('0x0000000D');
    expect(statusWordText(0x9000)).toBe('90 00');
    expect(statusWordText(0x63c1)).toBe('63 C1');
    expect(spacedHex('0020 0081')).toBe('00 20 00 81');
    expect(secondsLeft(10_000, 0)).toBe(10);
    expect(secondsLeft(10_000, 9_001)).toBe(1);
    expect(secondsLeft(10_000, 12_000)).toBe(0);
  });
});
