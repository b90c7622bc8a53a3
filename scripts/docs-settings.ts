/**
 * Writes the README's settings table from the declarations in src/lib/settings.ts:
 * `npm run docs:settings` (test/lib/settings.test.ts fails when the README is stale).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SET_BY_THE_KIT, SETTINGS, type SettingReader } from '../src/lib/settings.js';

export const README = fileURLToPath(new URL('../README.md', import.meta.url));
export const BEGIN = '<!-- settings table: generated from src/lib/settings.ts by `npm run docs:settings` -->';
export const END = '<!-- end of the settings table -->';

const READERS: Record<SettingReader, string> = { library: 'library', kernel: 'kernel', install: '`npm install`' };
const cell = (text: string) => text.replace(/\|/g, '\\|');

/** The table (and the note on the variables the kit sets), between the markers. */
export function settingsTable(): string {
  const rows = Object.values(SETTINGS).map((d) => `| \`${d.name}\` | ${cell(d.accepts)} | ${cell(d.default)} | ${cell(d.description)} | ${READERS[d.readBy]} |`);
  const set = Object.entries(SET_BY_THE_KIT).map(([name, what]) => `- \`${name}\` is not a setting: ${what}.`);
  return [BEGIN, '', '| variable | accepts | default | effect | read by |', '|---|---|---|---|---|', ...rows, '', ...set, '', END].join('\n');
}

/** The README with its settings table replaced by `table`; an error when the markers are missing. */
export function withTable(readme: string, table: string = settingsTable()): string {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no settings table between ${BEGIN} and ${END}`);
  return readme.slice(0, start) + table + readme.slice(end + END.length);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const before = readFileSync(README, 'utf8');
  const after = withTable(before);
  if (after === before) console.log('README.md: the settings table is up to date');
  else {
    writeFileSync(README, after);
    console.log('README.md: settings table written');
  }
}
