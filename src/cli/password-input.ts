// Where create-admin gets a password from without ever showing it: a hidden prompt on a terminal,
// else the first line of --password-file (or `-` for standard input), else standard input when
// it is a pipe. A password on the command line would stay in shell history and `ps`, so there is
// no option for it.
import { readFileSync } from 'node:fs';
import { CliError } from './commands.ts';

export const MIN_PASSWORD_LENGTH = 12;

const firstLine = (text: string) => text.split(/\r?\n/)[0] ?? '';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text;
}

/** Reads one line from the terminal in raw mode, printing nothing for the typed characters. */
export function hiddenPrompt(question: string, input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): Promise<string> {
  return new Promise((resolve, reject) => {
    output.write(question);
    let typed = '';
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    const done = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      output.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new CliError('Cancelled.')); // Ctrl-C
        if (ch === '\u0004') return done(); // Ctrl-D: end of input
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else if (ch >= ' ') typed += ch;
      }
    };
    input.on('data', onData);
  });
}

export async function readPassword(opts: { passwordFile?: string | undefined; stdin?: NodeJS.ReadStream }): Promise<string> {
  const stdin = opts.stdin ?? process.stdin;
  let password: string;
  if (opts.passwordFile === '-') password = firstLine(await readAll(stdin));
  else if (opts.passwordFile) {
    try {
      password = firstLine(readFileSync(opts.passwordFile, 'utf8'));
    } catch (e) {
      throw new CliError(`Cannot read --password-file ${opts.passwordFile}: ${(e as Error).message}`);
    }
  } else if (stdin.isTTY) {
    password = await hiddenPrompt(`Password (at least ${MIN_PASSWORD_LENGTH} characters, not shown): `, stdin);
    if (password && (await hiddenPrompt('The same password again: ', stdin)) !== password) throw new CliError('The two passwords differ; nothing was created.');
  } else password = firstLine(await readAll(stdin));
  if (!password) {
    throw new CliError('No password given: type it at the prompt, pipe it on standard input (echo … | webmeetings create-admin …), or use --password-file FILE.');
  }
  if (password.length < MIN_PASSWORD_LENGTH) throw new CliError(`The password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
  return password;
}
