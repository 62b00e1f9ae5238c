// WebMeetings' own prompts (`sound:wm-*`, no stock Asterisk sound says these things) are
// synthesised by deploy/asterisk/sounds/build.sh: every one the application plays, in English and
// Italian, as a WAV Asterisk plays (format_wav: RIFF PCM, 8 kHz, mono, 16-bit) that is not silence.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROMPTS } from '../../src/telephony/prompts.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const LANGUAGES = ['en', 'it'];
const out = mkdtempSync(join(tmpdir(), 'wm-sounds-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Every `sound:wm-…` the application's source names. */
function promptsInUse(): string[] {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) for (const m of readFileSync(path, 'utf8').matchAll(/sound:(wm-[a-z0-9-]+)/g)) names.add(m[1]!);
    }
  };
  walk(join(ROOT, 'src'));
  return [...names].sort();
}

type Wav = { format: number; channels: number; rate: number; byteRate: number; blockAlign: number; bits: number; samples: Int16Array };

/** RIFF/WAVE chunks: `fmt ` (WAVEFORMATEX) and `data`. */
function readWav(file: string): Wav {
  const b = readFileSync(file);
  expect(b.toString('latin1', 0, 4)).toBe('RIFF');
  expect(b.toString('latin1', 8, 12)).toBe('WAVE');
  let fmt: Omit<Wav, 'samples'> | null = null;
  for (let at = 12; at + 8 <= b.length; ) {
    const id = b.toString('latin1', at, at + 4);
    const size = b.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ') fmt = { format: b.readUInt16LE(body), channels: b.readUInt16LE(body + 2), rate: b.readUInt32LE(body + 4), byteRate: b.readUInt32LE(body + 8), blockAlign: b.readUInt16LE(body + 12), bits: b.readUInt16LE(body + 14) };
    if (id === 'data') {
      expect(fmt, `${file}: fmt before data`).not.toBeNull();
      const data = b.subarray(body, body + size);
      return { ...fmt!, samples: new Int16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length - (data.length % 2))) };
    }
    at = body + size + (size % 2);
  }
  throw new Error(`${file}: no data chunk`);
}

describe('the default wm-* prompts', () => {
  beforeAll(() => {
    execFileSync('bash', [join(ROOT, 'deploy/asterisk/sounds/build.sh'), out], { stdio: 'pipe' });
  });

  it('are worded in prompts.tsv for exactly the wm-* sounds the application plays, in English and Italian', () => {
    const used = promptsInUse();
    const refusals = Object.values(PROMPTS).flatMap((m) => (m.startsWith('sound:wm-') ? [m.slice('sound:'.length)] : []));
    expect(refusals.length).toBeGreaterThan(0);
    expect(used).toEqual(expect.arrayContaining(refusals));
    const tsv = readFileSync(join(ROOT, 'deploy/asterisk/sounds/prompts.tsv'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'))
      .map((l) => l.split('\t').slice(0, 2).join('/'));
    expect(tsv.sort()).toEqual(used.flatMap((n) => LANGUAGES.map((l) => `${n}/${l}`)).sort());
  });

  it('come out as 8 kHz mono 16-bit PCM WAV files per language, each with speech in it', () => {
    const used = promptsInUse();
    for (const lang of LANGUAGES) expect(readdirSync(join(out, lang)).sort()).toEqual(used.map((n) => `${n}.wav`));
    for (const name of used) {
      for (const lang of LANGUAGES) {
        const file = join(out, lang, `${name}.wav`);
        const wav = readWav(file);
        expect({ format: wav.format, channels: wav.channels, rate: wav.rate, bits: wav.bits, byteRate: wav.byteRate, blockAlign: wav.blockAlign }, file).toEqual({
          format: 1,
          channels: 1,
          rate: 8000,
          bits: 16,
          byteRate: 16_000,
          blockAlign: 2,
        });
        // At least a second of sound, most of it not silence, loud enough to hear on a phone.
        expect(wav.samples.length, file).toBeGreaterThan(8000);
        let peak = 0;
        let loud = 0;
        for (const s of wav.samples) {
          peak = Math.max(peak, Math.abs(s));
          if (Math.abs(s) > 1000) loud++;
        }
        expect(peak, file).toBeGreaterThan(16_000);
        expect(loud / wav.samples.length, file).toBeGreaterThan(0.1);
      }
      // Two languages, two different recordings.
      expect(readFileSync(join(out, 'en', `${name}.wav`)).equals(readFileSync(join(out, 'it', `${name}.wav`)))).toBe(false);
    }
  });
});
