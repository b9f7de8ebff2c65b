/**
 * The app-wide keyboard shortcuts, decided per shell.
 *
 * In the desktop app nothing else wants Ctrl/⌘+1…4 and Ctrl/⌘+O, so they switch workbench and
 * open a capture. In browser mode the page shares the keyboard with the browser, and Chromium
 * gives a page these keys first only because they are not among its reserved accelerators
 * (BrowserCommandController::IsReservedCommandOrKey reserves new/close tab and window, restore
 * tab, next/previous tab and exit): Ctrl+1…8 are its "select tab N" and Ctrl+O its "open file".
 * A page that called preventDefault() on them would take tab switching away from the user, so
 * browser mode leaves them to the browser and offers Alt+Shift+1…4 and Alt+Shift+O instead —
 * Alt+1…8 are not free either (Chromium and Firefox on Linux switch tabs with them), while no
 * browser binds Alt+Shift with a digit or O. Those chords are matched by physical key (`code`),
 * since Shift turns the 1 into '!' (or anything, on other layouts).
 */
import { WORKBENCHES, type WorkbenchId } from './workbenches.js';

export type ShellKind = 'electron' | 'browser';

export type KeyChord = Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>;

export type ShellCommand = { kind: 'workbench'; id: WorkbenchId } | { kind: 'open-capture' } | { kind: 'shortcuts' } | { kind: 'record' };

const DIGIT_CODE = /^(?:Digit|Numpad)([1-9])$/;

function isAltShift(event: KeyChord): boolean {
  return event.altKey && event.shiftKey && !event.ctrlKey && !event.metaKey;
}

function isAccel(event: KeyChord): boolean {
  return (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey;
}

function workbenchAt(digit: string | undefined): WorkbenchId | undefined {
  const index = Number(digit) - 1;
  return Number.isInteger(index) ? WORKBENCHES[index]?.id : undefined;
}

/**
 * What a key press asks of the shell, or undefined when it is not ours (and must not be
 * prevented). `typing` is true when the focus is in a text field, where `?` is just a character.
 */
export function shellCommandFor(event: KeyChord, shell: ShellKind, typing: boolean): ShellCommand | undefined {
  if (isAltShift(event)) {
    const id = workbenchAt(DIGIT_CODE.exec(event.code)?.[1]);
    if (id) return { kind: 'workbench', id };
    if (event.code === 'KeyO') return { kind: 'open-capture' };
    // Alt+Shift+R in both shells: Ctrl+R reloads the page in a browser (and the desktop app's window).
    if (event.code === 'KeyR') return { kind: 'record' };
    return undefined;
  }
  if (shell === 'electron' && isAccel(event)) {
    const id = workbenchAt(/^[1-9]$/.test(event.key) ? event.key : DIGIT_CODE.exec(event.code)?.[1]);
    if (id) return { kind: 'workbench', id };
    if (event.key.toLowerCase() === 'o') return { kind: 'open-capture' };
    return undefined;
  }
  if (event.key === '?' && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) return { kind: 'shortcuts' };
  return undefined;
}

/** Whether the key press opens a capture here (the Captures workbench takes it while it is shown). */
export function isOpenCaptureShortcut(event: KeyChord, shell: ShellKind): boolean {
  return shellCommandFor(event, shell, true)?.kind === 'open-capture';
}

/** Text fields, where a printable key is typing, not a command. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (!(target instanceof HTMLInputElement)) return false;
  return !['button', 'checkbox', 'radio', 'range', 'color', 'file', 'submit', 'reset', 'image'].includes(target.type);
}

/** How the shell's own chords are written for this shell, for titles and the shortcut list. */
export function shellKeys(shell: ShellKind): { workbench: (n: number) => string; openCapture: string; record: string } {
  return shell === 'electron'
    ? { workbench: (n) => `Ctrl+${n}`, openCapture: 'Ctrl+O', record: 'Alt+Shift+R' }
    : { workbench: (n) => `Alt+Shift+${n}`, openCapture: 'Alt+Shift+O', record: 'Alt+Shift+R' };
}

export interface ShortcutGroup {
  title: string;
  rows: ReadonlyArray<readonly [keys: string, what: string]>;
}

/** The list `?` shows: the shell's chords for this shell, then each widget's keys. */
export function shortcutGroups(shell: ShellKind): ShortcutGroup[] {
  const keys = shellKeys(shell);
  const everywhere: [string, string][] = [
    [`${keys.workbench(1)}…${WORKBENCHES.length}`, WORKBENCHES.map((w) => w.label).join(', ')],
    ['← → on the tabs', 'previous / next workbench'],
    [keys.record, 'start / stop recording the session (.pcapng)'],
    ['?', 'this list'],
    ['Escape', 'close this list'],
  ];
  if (shell === 'electron') everywhere.splice(1, 0, ['Alt+Shift+1…4', 'the same, as in browser mode']);
  else everywhere.splice(1, 0, ['Ctrl+1…4, Ctrl+O', 'left to the browser (its tabs, its Open File)']);
  return [
    { title: 'Everywhere', rows: everywhere },
    {
      title: 'Decode trees',
      rows: [
        ['↑ ↓', 'previous / next field'],
        ['→', 'open a field, or go to its first part'],
        ['←', 'close a field, or go to the field it belongs to'],
        ['Home End', 'first / last field'],
        ['Enter Space', 'select the field (lights its bytes)'],
        ['*', 'open every field beside this one'],
      ],
    },
    {
      title: 'Hex bytes',
      rows: [
        ['← → ↑ ↓', 'move by byte / by line (the field under the byte is selected)'],
        ['Home End', 'start / end of the line'],
        ['Ctrl+Home Ctrl+End', 'first / last byte'],
        ['PgUp PgDn', 'eight lines up / down'],
      ],
    },
    {
      title: 'Pane dividers',
      rows: [
        ['← → or ↑ ↓', 'move the divider'],
        ['Home End', 'smallest / largest first pane'],
        ['Enter', 'back to the first size'],
      ],
    },
    {
      title: 'Captures',
      rows: [
        [keys.openCapture, 'open a capture'],
        ['↑ ↓ PgUp PgDn Home End', 'move in the message list'],
      ],
    },
    {
      title: 'Console',
      rows: [
        ['Enter', 'send a one-line APDU'],
        ['Shift+Enter', 'a new line'],
        ['Ctrl+Enter', 'send, however many lines'],
        ['↑ ↓', 'the APDUs sent before (on the first / last line)'],
      ],
    },
    {
      title: 'Pinpad',
      rows: [
        ['Alt+1…5', 'wizard steps'],
        ['Enter or Ctrl+Enter', 'run'],
        ['Escape', 'cancel'],
      ],
    },
  ];
}
