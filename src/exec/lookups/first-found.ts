// The `first_found` lookup (`with_first_found`): the first of several candidate files
// that exists, for picking a per-distribution or per-host file with a default. Names
// are searched in files/ as Ansible does (search-path.ts); this file builds the list
// of names from the terms and the files/paths/skip options, as ansible-core 2.17+ does.
import type { Kwargs } from '../../jinja/builtin.js';
import { isPlainObject, pyRepr, typeName } from '../../jinja/values.js';
import { boolOption, checkOptions, type LookupPlugin, type PluginEnv } from './plugin.js';
import { findInSearchPath, joinName } from './search-path.js';

const FIRST_FOUND_OPTIONS = ['files', 'paths', 'skip'];

/**
 * `first_found`: the absolute path of the first candidate that exists (searched in
 * files/), as a one-item list; [] with skip=true when none does, else an error. Terms
 * are names, lists of names, or dicts of files/paths/skip; names may be joined with `,`
 * or `;`, paths with `,`, `:` or `;`; with paths, each path is joined with each name.
 */
export const FIRST_FOUND_LOOKUP: LookupPlugin = {
  options: FIRST_FOUND_OPTIONS,
  run(terms, options, env) {
    const search = new FirstFoundSearch(options, env);
    search.add(terms.length > 0 ? terms : [options.files ?? []]);
    for (const name of search.names) {
      const found = findInSearchPath(env.ctx, 'files', name);
      if (found !== undefined) return [found];
    }
    if (search.skip) return [];
    return env.fail('No file was found when using first_found.');
  },
};

// Ansible's _process_terms: a dict term replaces the options (files, paths, skip) for
// itself and for the string terms after it, as set_options does there.
class FirstFoundSearch {
  readonly names: string[] = [];
  skip = false;
  #options: Kwargs;
  constructor(options: Kwargs, readonly env: PluginEnv) {
    this.#options = options;
  }

  add(terms: readonly unknown[]): void {
    for (const term of terms) {
      let files: unknown;
      if (isPlainObject(term)) {
        checkOptions('first_found', FIRST_FOUND_OPTIONS, term, this.env.fail);
        this.#options = term;
        files = term.files ?? [];
      } else if (typeof term === 'string') {
        files = [term];
      } else if (Array.isArray(term)) {
        this.add(term);
        continue;
      } else {
        this.env.fail(`Invalid term supplied, can handle string, mapping or list of strings but got: ${typeName(term)} for ${pyRepr(term)}`);
      }
      this.skip = boolOption(this.#options, 'skip', false, this.env.fail);
      const fileNames = splitNames(files, /[,;]/, 'files', this.env.fail);
      const pathNames = splitNames(this.#options.paths ?? [], /[,:;]/, 'paths', this.env.fail);
      if (pathNames.length > 0) {
        for (const dir of pathNames) for (const name of fileNames) this.names.push(joinName(dir, name));
      } else {
        this.names.push(...fileNames);
      }
    }
  }
}

/** A string or list of strings, each cut at the separators; empty names dropped. */
function splitNames(value: unknown, separators: RegExp, option: string, fail: (m: string) => never): string[] {
  const items = Array.isArray(value) ? value : [value];
  return items.flatMap((item) => {
    if (Array.isArray(item)) return splitNames(item, separators, option, fail);
    if (typeof item !== 'string') return fail(`first_found: '${option}' must be strings, not ${typeName(item)} ${pyRepr(item)}`);
    return item.split(separators).filter((n) => n !== '');
  });
}
