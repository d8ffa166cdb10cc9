// `{{xml x}}` and `{{shq x}}`: escape explicitly, for a text template that embeds
// XML or a shell command. The result is marked as escaped for that syntax (SafeText)
// so it is not escaped twice when the template itself is XML or shell.
import { quoteShellWord } from '../../util/shell-quote.js';
import { escapeXml, scalarText } from '../escape.js';
import { SafeText } from '../safe-text.js';

export function xml(value: unknown): SafeText {
  return new SafeText(escapeXml(scalarText(value)), 'xml');
}

/**
 * One POSIX shell word: bare when made only of safe characters, else single-quoted
 * with ' written as '\'' (the project's one quoting rule, util/shell-quote.ts).
 */
export function shq(value: unknown): SafeText {
  return new SafeText(quoteShellWord(scalarText(value)), 'shell');
}
