// How benchmark figures are computed and printed: percentiles, plain tables, target verdicts and a
// seeded random source (so two runs ask for the same slots and weeks).

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export const median = (values: readonly number[]) => percentile(values, 50);

/** A number for people: thousands separated, a few significant digits, "–" when unknown. */
export function num(value: number | undefined, digits = 1): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  const d = Math.abs(value) >= 100 ? 0 : digits;
  return value.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

export const ms = (value: number | undefined) => (value !== undefined && Number.isFinite(value) && value < 10 ? num(value, 2) : num(value, 1));

export const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? '–' : (a / b).toFixed(2);

export function verdict(label: string, met: boolean | undefined): string {
  return `target ${label}: ${met === undefined ? 'unknown' : met ? 'met' : 'not met'}`;
}

/** A plain table: first column left-aligned, the others right-aligned, two spaces apart. */
export function table(header: string[], rows: string[][], indent = '  '): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    indent +
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), indent + widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export { seededRandom } from '../src/domain/seeded-random.ts';

export const randomInt = (random: () => number, min: number, max: number) => min + Math.floor(random() * (max - min + 1));

/** A benchmark's contribution to the final summary block. */
export type Section = { title: string; lines: string[] };
