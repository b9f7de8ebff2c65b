import { createBackend } from '../../backend/backend.js';
import { electronStatusFor } from '../../backend/electron-status.js';
import { startWebServer } from '../../web/server.js';
import { CliError, EXIT } from '../exit-codes.js';
import { locateRendererBuild } from '../locate-build.js';
import { openInBrowser } from '../open-browser.js';
import type { CommandContext } from '../command.js';

export interface WebOptions {
  port: number;
  host: string;
  open: boolean;
  /** Why the desktop app is not used (set by `start` when it falls back). */
  whyNotElectron?: string;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/** Serves browser mode until Ctrl-C. The URL is printed alone on its own line so scripts can read it. */
export async function runWeb(context: CommandContext, options: WebOptions): Promise<number> {
  if (!LOOPBACK_HOSTS.has(options.host)) {
    throw new CliError(`Browser mode listens on loopback only (127.0.0.1, ::1 or localhost), not ${options.host}.`, EXIT.usage);
  }
  const rendererDir = locateRendererBuild();
  const backend = createBackend({ shell: 'browser', electron: electronStatusFor('browser', options.whyNotElectron) });
  let server;
  try {
    server = await startWebServer({
      backend,
      rendererDir,
      host: options.host === 'localhost' ? '127.0.0.1' : options.host,
      port: options.port,
      log: (line) => context.stderr(`[web] ${line}`),
    });
  } catch (error) {
    backend.dispose();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new CliError(`Port ${options.port} is in use: pick another with --port N (0 = any free port).`, EXIT.failure);
    throw error;
  }
  // The printed URL keeps the token: it reaches only the user's terminal, and it must still work
  // after the first tab is closed or in a second browser. The browser itself is started with a
  // one-time launch URL, because its command line is readable by every local user (/proc).
  context.stdout("Cardbench browser mode is running. Open this URL (it carries this run's access token):");
  context.stdout(server.url);
  context.stdout('Press Ctrl-C to stop.');
  if (options.open) openInBrowser(server.launchUrl(), context.stderr);

  await context.untilInterrupted();
  context.stderr('Stopping browser mode…');
  await server.close();
  backend.dispose();
  return EXIT.ok;
}
