// `-e` values, as ansible-playbook's load_extra_vars reads them, later ones
// replacing earlier ones key by key:
//   -e @vars.yaml        a YAML or JSON file of variables (relative to the working directory)
//   -e '{"a": 1}'        YAML/JSON text starting with { or [ (must give a map)
//   -e 'a=1 b="x y"'     key=value pairs; values stay strings, as in Ansible
import { resolve } from 'node:path';
import { OptionsError, ValidationError } from '../errors.js';
import { combineVars, isPlainObject, type Vars } from '../data/py-values.js';
import { loadVarsFile } from '../data/vars-files.js';
import { loadDataText, toValue } from '../data/yaml-load.js';
import { parseKeyValues } from './kv.js';
import { displayName, errorText } from './source.js';

export async function parseExtraVars(values: readonly string[]): Promise<Vars> {
  let out: Vars = {};
  for (const raw of values) out = combineVars(out, await parseOne(raw));
  return out;
}

async function parseOne(raw: string): Promise<Vars> {
  const text = raw.trim();
  if (text === '') return {};
  if (text.startsWith('@')) return loadFile(text.slice(1));
  if (text.startsWith('{') || text.startsWith('[')) return parseInline(text);
  const { pairs, raw: words } = parseKeyValues(text);
  if (words.length > 0) {
    throw new OptionsError(`-e ${JSON.stringify(raw)}: "${words[0]}" is not key=value (use key=value, @file.yaml or a JSON/YAML map)`);
  }
  return pairs;
}

async function loadFile(path: string): Promise<Vars> {
  if (path === '') throw new OptionsError('-e @: a file name must follow "@"');
  const file = resolve(path);
  try {
    return (await loadVarsFile(file)) ?? {};
  } catch (e) {
    if (e instanceof ValidationError) {
      const name = e.file === file ? displayName(file) : e.file;
      throw new ValidationError({ file: name, line: e.line, col: e.col }, e.detail, { cause: e });
    }
    throw new OptionsError(`-e @${path}: cannot read the file: ${errorText(e)}`, { cause: e });
  }
}

function parseInline(text: string): Vars {
  let data: unknown;
  try {
    const node = loadDataText(text, '-e');
    data = node === null ? null : toValue(node);
  } catch (e) {
    const detail = e instanceof ValidationError ? e.detail : errorText(e);
    throw new OptionsError(`-e ${JSON.stringify(text)}: ${detail}`, { cause: e });
  }
  if (!isPlainObject(data)) throw new OptionsError(`-e ${JSON.stringify(text)}: must be a map of variables`);
  return data;
}
