/**
 * Content-Security-Policy for the renderer. Everything comes from our own origin; no inline
 * script, no eval, no remote anything. Svelte injects component styles, hence style-src
 * 'unsafe-inline' (styles cannot run code). connect-src differs by shell: the desktop app talks
 * over IPC only; browser mode needs its one WebSocket back to the loopback server.
 */
export interface CspOptions {
  /** The WebSocket origin browser mode may connect to, e.g. ws://127.0.0.1:43117. */
  webSocketOrigin?: string;
}

export function buildContentSecurityPolicy(options: CspOptions = {}): string {
  const directives: Array<[string, string[]]> = [
    ['default-src', ["'none'"]],
    ['script-src', ["'self'"]],
    ['style-src', ["'self'", "'unsafe-inline'"]],
    ['img-src', ["'self'", 'data:']],
    ['font-src', ["'self'"]],
    ['connect-src', options.webSocketOrigin ? ["'self'", options.webSocketOrigin] : ["'self'"]],
    ['worker-src', ["'self'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'none'"]],
    ['frame-src', ["'none'"]],
    ['frame-ancestors', ["'none'"]],
    ['object-src', ["'none'"]],
  ];
  return directives.map(([name, sources]) => `${name} ${sources.join(' ')}`).join('; ');
}
