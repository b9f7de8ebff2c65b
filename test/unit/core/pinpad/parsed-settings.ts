/**
 * The settings a user would type (`--set FIELD=VALUE`), parsed as the CLI parses them; a text
 * that does not parse stops the test with the parser's own message.
 */
import { parseParameterSetting, type PinParameterSetting } from '#core/pinpad/index.js';

export function parsedSettings(...texts: string[]): PinParameterSetting[] {
  return texts.map((text) => {
    const parsed = parseParameterSetting(text);
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed.setting;
  });
}
