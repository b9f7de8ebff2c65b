import packageJson from '../../package.json' with { type: 'json' };

/** The app version, from package.json (inlined by the bundler, read by tsx from source). */
export const APP_VERSION: string = packageJson.version;
