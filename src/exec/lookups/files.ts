// The lookups that read the control machine's files: `file` (a file's text) and
// `fileglob` (the files matching a pattern). Relative names are searched in files/
// as Ansible does (search-path.ts).
import path from 'node:path';
import { isFile, readControlFile } from './control-files.js';
import { globNames } from './glob.js';
import { boolOption, type LookupPlugin, stringTerm } from './plugin.js';
import { findInSearchPath, searchPath } from './search-path.js';

// Python's str.strip() whitespace (str.isspace), which JavaScript's trim() does not match exactly.
const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const LEADING_SPACE = new RegExp(`^[${PY_SPACE}]+`);
const TRAILING_SPACE = new RegExp(`[${PY_SPACE}]+$`);

/** `file`: each term's text; trailing whitespace stripped unless rstrip=false, leading with lstrip=true. */
export const FILE_LOOKUP: LookupPlugin = {
  options: ['lstrip', 'rstrip'],
  run(terms, options, { ctx, fail }) {
    const lstrip = boolOption(options, 'lstrip', false, fail);
    const rstrip = boolOption(options, 'rstrip', true, fail);
    return terms.map((term) => {
      const name = stringTerm(term, 'file', fail);
      const found = findInSearchPath(ctx, 'files', name) ?? fail(`could not locate file in lookup: ${name}`);
      let text = readControlFile(found, fail, (why) => `could not locate file in lookup: ${name} (${why})`);
      if (lstrip) text = text.replace(LEADING_SPACE, '');
      if (rstrip) text = text.replace(TRAILING_SPACE, '');
      return text;
    });
  },
};

/**
 * `fileglob`: the absolute paths of the files (not directories) matching each term's
 * last component. A term with a directory part globs in that directory, found in the
 * search path; a bare pattern globs in each search dir's files/, then the dir itself,
 * stopping at the first place with matches.
 */
export const FILEGLOB_LOOKUP: LookupPlugin = {
  options: [],
  run(terms, _options, { ctx, fail }) {
    return terms.flatMap((term) => {
      const pattern = stringTerm(term, 'fileglob', fail);
      const cut = pattern.lastIndexOf('/') + 1;
      const base = pattern.slice(cut);
      let dirs: string[];
      if (cut === 0) {
        dirs = searchPath(ctx).flatMap((d) => [path.join(d, 'files'), d]);
      } else {
        const dir = pattern.slice(0, cut).replace(/(?<=[^/])\/+$/, ''); // os.path.dirname
        const found = findInSearchPath(ctx, 'files', dir);
        if (found === undefined) ctx.warn(`fileglob: unable to find '${dir}' in the search path`);
        dirs = found === undefined ? [] : [found];
      }
      for (const dir of dirs) {
        const files = globNames(dir, base).filter(isFile);
        if (files.length > 0) return files;
      }
      return [];
    });
  },
};
