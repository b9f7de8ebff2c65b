/**
 * The wizard's keyboard: what a key does, decided from the key and where the focus is, so the
 * rules can be tested without a browser. Ctrl/⌘+Enter runs from anywhere; a plain Enter runs
 * when the focus is not in something that uses Enter itself; Escape cancels a running request;
 * Alt+1..5 jumps to a step. While the simulated reader's keypad is open, digits, Enter, Escape
 * and Backspace are its keys.
 */

export type WizardKeyAction =
  { kind: 'run' } | { kind: 'cancel' } | { kind: 'step'; index: number } | { kind: 'keypad'; key: string } | undefined;

export interface KeyInput {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

export interface KeyContext {
  /** The focused element's tag name (upper case), '' for none. */
  targetTag: string;
  /** The focused element is contenteditable or a role=textbox. */
  targetEditable?: boolean;
  keypadOpen: boolean;
  running: boolean;
}

/** Tags that use a plain Enter themselves (a button clicks, a select opens, a textarea breaks a line). */
const ENTER_OWNERS = new Set(['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON', 'A', 'SUMMARY']);

export function wizardKeyAction(event: KeyInput, context: KeyContext): WizardKeyAction {
  const modified = event.ctrlKey || event.metaKey || event.altKey;
  if (context.keypadOpen) {
    if (modified) return undefined;
    if (/^\d$/.test(event.key)) return { kind: 'keypad', key: event.key };
    if (event.key === 'Enter') return { kind: 'keypad', key: 'ok' };
    if (event.key === 'Escape') return { kind: 'keypad', key: 'cancel' };
    if (event.key === 'Backspace' || event.key === 'Delete') return { kind: 'keypad', key: 'clear' };
    return undefined;
  }
  if (event.key === 'Escape' && !modified) return context.running ? { kind: 'cancel' } : undefined;
  if (event.key === 'Enter') {
    if ((event.ctrlKey || event.metaKey) && !event.altKey) return { kind: 'run' };
    if (modified || event.shiftKey) return undefined;
    if (ENTER_OWNERS.has(context.targetTag) || context.targetEditable) return undefined;
    return { kind: 'run' };
  }
  if (event.altKey && !event.ctrlKey && !event.metaKey && /^[1-5]$/.test(event.key)) {
    return { kind: 'step', index: Number(event.key) - 1 };
  }
  return undefined;
}
