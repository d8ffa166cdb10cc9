// lineinfile's edit, the way Ansible's lineinfile.py does it (present/absent), as a
// pure function over the file's text: table-tested without a host.
//
// Text is a "binary string" (one char per byte, latin1) like Python's bytes, so a file
// that is not UTF-8 is written back byte for byte; the caller converts line/regexp too.
// Regexps are Python's, run on RE2 (linear time; no backreferences or lookaround).
// Each line is matched as Python's `$` sees it (pyLineRegExp).
import { compileUserRegex, type RegexMatch, type UserRegex } from '../../../jinja/regex.js';

export interface LineEditArgs {
  state: 'present' | 'absent';
  line?: string;
  regexp?: string;
  searchString?: string;
  insertafter?: string;
  insertbefore?: string;
  backrefs?: boolean;
  firstmatch?: boolean;
}

export interface LineEdit {
  content: string;
  changed: boolean;
  msg: string;
  /** absent: how many lines were removed. */
  found?: number;
}

const NL = '\n';

export function editLines(content: string, a: LineEditArgs): LineEdit {
  const lines = splitKeepEnds(content);
  return a.state === 'present' ? present(lines, a) : absent(lines, a);
}

/** Python's bytes.readlines(): split after each \n, keeping it. */
export function splitKeepEnds(text: string): string[] {
  const lines = text.split(NL).map((l) => l + NL);
  const last = lines.pop() ?? NL;
  if (last !== NL) lines.push(last.slice(0, -1));
  return lines;
}

/**
 * A Python regexp for matching host file lines, on RE2 (linear time: a file's line
 * can never make a pattern backtrack for minutes); `(?P<name>…)`, `\A`, `\Z` as Python.
 */
export function pyRegExp(pattern: string): UserRegex {
  return compileUserRegex(pattern);
}

/** A Python regexp searched in one line that keeps its newline, as Python's `re.search(line)`. */
export interface LineRegex {
  search(line: string): boolean;
  exec(line: string): RegexMatch | null;
}

/**
 * Python's `$` (without MULTILINE) matches at the end and before a final newline; RE2's
 * only at the end. So the line is tried whole first (a match there is one Python finds,
 * with the same groups: `^(b)(\s*)` takes the newline), then without its newline (the
 * usual `^x=.*$`). A pattern with `\Z` (the very end, after the newline) is only tried whole.
 */
export function pyLineRegExp(pattern: string): LineRegex {
  const re = pyRegExp(pattern);
  const wholeOnly = /(?<!\\)(?:\\\\)*\\Z/.test(pattern);
  const exec = (line: string): RegexMatch | null => re.exec(line) ?? (line.endsWith(NL) && !wholeOnly ? re.exec(line.slice(0, -1)) : null);
  return { exec, search: (line) => exec(line) !== null };
}

/** Python's match.expand(): `\1`, `\g<1>`, `\g<name>`, `\n`, `\t`, `\\`. */
export function expandMatch(m: RegexMatch, template: string): string {
  return template.replace(/\\(g<([^>]+)>|\d{1,2}|[ntr\\])/g, (_all, esc: string, ref: string | undefined) => {
    if (ref !== undefined) return m.group(/^\d+$/.test(ref) ? Number(ref) : ref) ?? '';
    if (/^\d/.test(esc)) return m.group(Number(esc)) ?? '';
    return ({ n: '\n', t: '\t', r: '\r', '\\': '\\' } as Record<string, string>)[esc] ?? esc;
  });
}

const strip = (l: string): string => l.replace(/[\r\n]+$/, '');

function present(lines: string[], a: LineEditArgs): LineEdit {
  const line = a.line ?? '';
  let insAfter = a.insertafter;
  const insBefore = a.insertbefore;
  if (insAfter === undefined && insBefore === undefined) insAfter = 'EOF';
  const reMatch = a.regexp !== undefined ? pyLineRegExp(a.regexp) : null;
  const reIns = insAfter !== undefined && insAfter !== 'BOF' && insAfter !== 'EOF' ? pyLineRegExp(insAfter)
    : insBefore !== undefined && insBefore !== 'BOF' ? pyLineRegExp(insBefore) : null;

  // index: the line regexp/search_string/exact line matched; insertAt: from insertafter/before.
  let index = -1;
  let insertAt = -1;
  let match: RegexMatch | null = null;
  let found = false;
  if (reMatch) {
    for (let i = 0; i < lines.length; i++) {
      const m = reMatch.exec(lines[i]!);
      if (m) {
        index = i;
        match = m;
        found = true;
        if (a.firstmatch) break;
      }
    }
  }
  if (a.searchString !== undefined) {
    for (let i = 0; i < lines.length; i++) {
      if (lines[i]!.includes(a.searchString)) {
        index = i;
        found = true;
        if (a.firstmatch) break;
      }
    }
  }
  // Ansible: insertafter/insertbefore only count when regexp/search_string found nothing.
  if (!found) {
    for (let i = 0; i < lines.length; i++) {
      if (strip(lines[i]!) === line) {
        index = i;
      } else if (reIns && reIns.search(lines[i]!)) {
        insertAt = insAfter !== undefined ? i + 1 : i;
        if (a.firstmatch) break;
      }
    }
  }

  const out = [...lines];
  const done = (msg: string): LineEdit => ({ content: out.join(''), changed: msg !== '', msg });
  if (index !== -1) {
    let newLine = a.backrefs && match ? expandMatch(match, line) : line;
    if (!newLine.endsWith(NL)) newLine += NL;
    if (out[index] === newLine) return done('');
    out[index] = newLine;
    return done('line replaced');
  }
  // Without a match there is nothing to take backreferences from: change nothing.
  if (a.backrefs) return done('');
  if (insBefore === 'BOF' || insAfter === 'BOF') {
    out.unshift(line + NL);
    return done('line added');
  }
  if (insAfter === 'EOF' || insertAt === -1) {
    if (out.length > 0 && !/[\r\n]$/.test(out[out.length - 1]!)) out.push(NL);
    out.push(line + NL);
    return done('line added');
  }
  if (insAfter !== undefined) {
    // Not again if the line already follows the insertafter match.
    if (out.length === insertAt) {
      if (strip(out[insertAt - 1]!) === line) return done('');
      out.push(line + NL);
    } else {
      if (strip(out[insertAt]!) === line) return done('');
      out.splice(insertAt, 0, line + NL);
    }
    return done('line added');
  }
  out.splice(insertAt, 0, line + NL);
  return done('line added');
}

function absent(lines: string[], a: LineEditArgs): LineEdit {
  const re = a.regexp !== undefined ? pyLineRegExp(a.regexp) : null;
  const matches = (l: string): boolean => {
    if (re) return re.search(l);
    if (a.searchString !== undefined) return l.includes(a.searchString);
    return strip(l) === (a.line ?? '');
  };
  const kept = lines.filter((l) => !matches(l));
  const found = lines.length - kept.length;
  return { content: kept.join(''), changed: found > 0, msg: found > 0 ? `${found} line(s) removed` : '', found };
}
