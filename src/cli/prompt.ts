// Questions asked on the terminal (-k, -K, --step): never from a pipe, where an
// answer could not be typed and a password would be read from whatever is piped in.
import { OptionsError } from '../errors.js';

export interface Terminal {
  input: NodeJS.ReadStream;
  output: NodeJS.WritableStream;
}

export function defaultTerminal(): Terminal {
  return { input: process.stdin, output: process.stderr };
}

/** Fails (exit 5) unless standard input is a terminal: `flag` asks for `what`; `instead` says what to do without one. */
export function requireTerminal(t: Terminal, flag: string, what: string, instead: string): void {
  if (!t.input.isTTY) throw new OptionsError(`${flag} asks for ${what} on a terminal, and standard input is not one: ${instead}`);
}

/** One line typed with echo off (a password); Ctrl-C or Ctrl-D abandon the run (exit 5). */
export function askSecret(t: Terminal, question: string): Promise<string> {
  return readLine(t, question, false);
}

/** One line typed with echo on. */
export function askLine(t: Terminal, question: string): Promise<string> {
  return readLine(t, question, true);
}

function readLine(t: Terminal, question: string, echo: boolean): Promise<string> {
  const { input, output } = t;
  output.write(question);
  return new Promise((resolvePromise, reject) => {
    let answer = '';
    const wasRaw = input.isRaw;
    input.setRawMode(true);
    input.resume();
    const finish = (err?: Error): void => {
      input.removeListener('data', onData);
      input.setRawMode(wasRaw);
      input.pause();
      output.write('\n');
      if (err) reject(err);
      else resolvePromise(answer);
    };
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003' || ch === '\u0004') return finish(new OptionsError('no answer given: abandoned'));
        if (ch === '\u007f' || ch === '\b') {
          if (answer.length > 0 && echo) output.write('\b \b');
          answer = [...answer].slice(0, -1).join('');
          continue;
        }
        answer += ch;
        if (echo) output.write(ch);
      }
    };
    input.on('data', onData);
  });
}
