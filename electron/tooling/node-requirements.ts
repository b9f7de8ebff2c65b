/**
 * Which Node each path through Cardbench needs. The command line and browser mode run on the
 * Node that runs them (package.json engines). The desktop path also runs Electron's own
 * scripts on it: `npx install-electron` (@electron/get) and packaging (@electron/rebuild inside
 * electron-builder) declare Node ≥ 22.12. The desktop app itself runs on the Node bundled in
 * Electron, whatever Node started it.
 */

export const CLI_NODE_MINIMUM = '20.19.0';
export const DESKTOP_NODE_MINIMUM = '22.12.0';

/** -1, 0 or 1 like a comparator; each version may have a leading "v" and a pre-release tail, which is ignored. */
export function compareNodeVersions(a: string, b: string): number {
  const parts = (version: string): number[] =>
    version
      .replace(/^v/, '')
      .split(/[-+]/)[0]!
      .split('.')
      .map((part) => Number.parseInt(part, 10) || 0);
  const [left, right] = [parts(a), parts(b)];
  for (let index = 0; index < 3; index++) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}

/** "22.12" from "22.12.0", for sentences. */
function short(version: string): string {
  return version.replace(/\.0$/, '');
}

/**
 * The sentence `npm start` prints when the running Node is too old for Electron's own scripts,
 * or undefined when it is new enough. `nodeVersion` as in process.version.
 */
export function desktopNodeAdvice(nodeVersion: string, electronVersion: string | undefined): string | undefined {
  if (compareNodeVersions(nodeVersion, DESKTOP_NODE_MINIMUM) >= 0) return undefined;
  const electron = electronVersion ? `Electron ${electronVersion.split('.')[0]}'s` : "Electron's";
  return (
    `${electron} own scripts (\`npx install-electron\`, \`npm run package\`) need Node ≥ ${short(DESKTOP_NODE_MINIMUM)}; ` +
    `this is Node ${nodeVersion.replace(/^v/, '')}. The command line and browser mode run on Node ≥ ${short(CLI_NODE_MINIMUM)}.`
  );
}
