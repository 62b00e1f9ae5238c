// The configuration reference pages (Italian and English), generated from the one list of
// settings (config.ts's schema), the README's configuration table (English meaning, default) and
// src/config-reference.ts (Italian meaning). A setting missing from any of them fails the build.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { EnvSchema } from '../../src/config.ts';
import { SETTINGS_IT } from '../../src/config-reference.ts';

export type SettingRow = { names: string[]; default: string; en: string; it: string; accepts: string };

export function readmeRows(readme: string): { names: string[]; default: string; en: string }[] {
  const start = readme.indexOf('## Configuration');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 5));
  return section
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) => {
      const cells = l.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
      return { names: [...cells[0]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!), default: cells[1]!, en: cells[2]! };
    });
}

function accepts(name: string): string {
  const field = (EnvSchema.shape as Record<string, z.ZodType>)[name]!;
  let s: { type?: string; enum?: unknown[]; minimum?: number; maximum?: number; format?: string; anyOf?: unknown[] };
  try {
    s = z.toJSONSchema(field, { io: 'output', unrepresentable: 'any' }) as typeof s;
  } catch {
    return '';
  }
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(', ');
  if ((s.type === 'integer' || s.type === 'number') && s.minimum !== undefined && s.maximum !== undefined) return `${s.minimum}–${s.maximum}`;
  if (s.type === 'boolean') return '`true`, `false`';
  if (s.format === 'uri') return 'URL';
  return '';
}

/** The rows, or the list of what is missing where. */
export function settingRows(readme: string): { rows: SettingRow[]; problems: string[] } {
  const rows = readmeRows(readme);
  const names = Object.keys(EnvSchema.shape);
  const inReadme = new Set(rows.flatMap((r) => r.names));
  const problems = [
    ...names.filter((n) => !inReadme.has(n)).map((n) => `${n} is a setting (src/config.ts) but has no row in the README's configuration table`),
    ...[...inReadme].filter((n) => !names.includes(n)).map((n) => `${n} is in the README's configuration table but is not a setting`),
    ...rows.filter((r) => !SETTINGS_IT[r.names[0]!]).map((r) => `${r.names[0]} has no Italian description in src/config-reference.ts`),
  ];
  return {
    problems,
    rows: rows.map((r) => ({ ...r, it: SETTINGS_IT[r.names[0]!] ?? '', accepts: r.names.map((n) => (names.includes(n) ? accepts(n) : '')).find(Boolean) ?? '' })),
  };
}

const esc = (s: string) => s.replace(/\|/g, '\\|');

export function configurationPage(rows: SettingRow[], lang: 'it' | 'en'): string {
  const t = lang === 'it'
    ? { title: 'Configurazione', intro: 'Ogni impostazione è una variabile d’ambiente, verificata all’avvio: un valore sbagliato ferma l’avvio con un messaggio che la nomina. `webmeetings check-config` verifica le impostazioni e raggiunge ogni servizio configurato. Questa pagina è generata dallo schema delle impostazioni.', head: '| Variabile | Predefinito | Significato | Valori |' }
    : { title: 'Configuration reference', intro: 'Every setting is an environment variable, validated at start-up: a wrong value stops the start with a message naming it. `webmeetings check-config` validates the settings and reaches each configured service. This page is generated from the settings schema.', head: '| Variable | Default | Meaning | Accepts |' };
  const lines = rows.map((r) => `| ${r.names.map((n) => `\`${n}\``).join(', ')} | ${esc(r.default)} | ${esc(lang === 'it' ? r.it : r.en)} | ${r.accepts} |`);
  return `---\noutline: false\n---\n\n# ${t.title}\n\n${t.intro}\n\n<div v-pre>\n\n${t.head}\n| --- | --- | --- | --- |\n${lines.join('\n')}\n\n</div>\n`;
}

export const readReadme = (path: string) => readFileSync(path, 'utf8');
