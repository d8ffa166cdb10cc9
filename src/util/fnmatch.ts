// Python's fnmatch (case-sensitive, as on POSIX), shared by host patterns, the fileglob
// lookup and setup's filter: `*` any text, `?` one character, `[seq]`/`[!seq]` a class,
// an unclosed `[` a literal one.

/** fnmatch.translate: `*` any text, `?` one character, `[seq]`/`[!seq]` a class. */
export function fnmatchTranslate(pat: string): string {
  let out = '';
  let i = 0;
  while (i < pat.length) {
    const c = pat[i++]!;
    if (c === '*') {
      if (!out.endsWith('.*')) out += '.*';
    } else if (c === '?') {
      out += '.';
    } else if (c === '[') {
      let j = i;
      if (pat[j] === '!') j++;
      if (pat[j] === ']') j++;
      while (j < pat.length && pat[j] !== ']') j++;
      if (j >= pat.length) {
        out += '\\[';
      } else {
        let stuff = pat.slice(i, j).replace(/\\/g, '\\\\');
        i = j + 1;
        if (!stuff) out += '(?!)';
        else if (stuff === '!') out += '.';
        else {
          if (stuff[0] === '!') stuff = `^${stuff.slice(1)}`;
          else if (stuff[0] === '^' || stuff[0] === '[') stuff = `\\${stuff}`;
          out += `[${stuff.replace(/\]/g, '\\]')}]`;
        }
      }
    } else {
      out += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    }
  }
  return out;
}

/** The whole-name regular expression of a pattern; one JavaScript refuses (`[z-a]`) matches nothing. */
export function fnmatchRegExp(pattern: string): RegExp {
  try {
    return new RegExp(`^(?:${fnmatchTranslate(pattern)})$`, 's');
  } catch {
    return /(?!)/;
  }
}
