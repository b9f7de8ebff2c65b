import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where Cardbench keeps its settings and history: CARDBENCH_DATA_DIR when set (tests, portable
 * installs), else the platform's per-user data folder. The same place for the app, browser mode
 * and the CLI, so history typed in one is there in the others.
 */
export function cardbenchDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.CARDBENCH_DATA_DIR) return env.CARDBENCH_DATA_DIR;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Cardbench');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Cardbench');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Cardbench');
}
