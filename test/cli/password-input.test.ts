// create-admin's password never appears on the screen: the prompt reads a terminal in raw mode and
// writes nothing for the typed characters.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CliError } from '../../src/cli/commands.ts';
import { hiddenPrompt, readPassword } from '../../src/cli/password-input.ts';

function fakeTerminal() {
  const input = Object.assign(new PassThrough(), { isTTY: true, rawModes: [] as boolean[] }) as unknown as NodeJS.ReadStream & { rawModes: boolean[] };
  input.setRawMode = (mode: boolean) => {
    input.rawModes.push(mode);
    return input;
  };
  let shown = '';
  const output = new PassThrough() as unknown as NodeJS.WriteStream;
  output.write = ((chunk: string) => {
    shown += chunk;
    return true;
  }) as NodeJS.WriteStream['write'];
  return { input, output, shown: () => shown };
}

describe('the hidden password prompt', () => {
  it('reads a line in raw mode and shows none of it, backspace included', async () => {
    const t = fakeTerminal();
    const answer = hiddenPrompt('Password: ', t.input, t.output);
    t.input.write('Secret-pass');
    t.input.write('x\u007f-12345\r');
    await expect(answer).resolves.toBe('Secret-pass-12345');
    expect(t.shown()).toBe('Password: \n');
    expect(t.input.rawModes).toEqual([true, false]);
  });

  it('stops on Ctrl-C with nothing created', async () => {
    const t = fakeTerminal();
    const answer = hiddenPrompt('Password: ', t.input, t.output);
    t.input.write('abc\u0003');
    await expect(answer).rejects.toBeInstanceOf(CliError);
  });

  it('asks twice on a terminal and refuses two different passwords', async () => {
    const t = fakeTerminal();
    const answer = readPassword({ stdin: t.input });
    t.input.write('Secret-pass-12345\r');
    await new Promise((r) => setTimeout(r, 20));
    t.input.write('Secret-pass-12346\r');
    await expect(answer).rejects.toThrow(/two passwords differ/);
  });

  it('refuses an empty answer and a short password', async () => {
    const empty = fakeTerminal();
    const none = readPassword({ stdin: empty.input });
    empty.input.write('\r');
    await expect(none).rejects.toThrow(/No password given/);
    const piped = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.ReadStream;
    piped.end('short\n');
    await expect(readPassword({ stdin: piped })).rejects.toThrow(/at least 12 characters/);
  });
});
