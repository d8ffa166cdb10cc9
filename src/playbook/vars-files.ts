// A play's `vars_files`: paths relative to the playbook's folder, each a YAML (or
// JSON) map of variables, loaded with the inventory's vars-file loader (same YAML
// 1.1 rules, same "must be a mapping" check). A path with a template in it
// (`vars/{{ os }}.yaml`) can only be resolved per host, at run time.
import { resolve } from 'node:path';
import { stat } from 'node:fs/promises';
import { ValidationError } from '../errors.js';
import { loadVarsFile } from '../data/vars-files.js';
import type { PNode } from '../data/yaml-load.js';
import type { VarsFileRef } from './model.js';
import type { Problems } from './problems.js';
import { displayName } from './source.js';

export async function loadVarsFiles(node: PNode | undefined, dir: string, problems: Problems): Promise<VarsFileRef[]> {
  if (!node) return [];
  const items = node.kind === 'seq' ? node.items : [node];
  const refs: VarsFileRef[] = [];
  for (const item of items) {
    if (item.kind !== 'scalar' || typeof item.value !== 'string') continue; // schema.ts reported it
    const source = item.value;
    if (source.includes('{{')) {
      refs.push({ source, file: undefined, vars: undefined, pos: item.pos });
      continue;
    }
    const file = resolve(dir, source);
    const st = await stat(file).catch(() => null);
    if (!st?.isFile()) {
      problems.add(item.pos, `vars file "${source}" not found (looked for ${displayName(file)})`);
      continue;
    }
    try {
      refs.push({ source, file, vars: (await loadVarsFile(file)) ?? {}, pos: item.pos });
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      problems.addError(relabel(e, file));
    }
  }
  return refs;
}

// The inventory loader names files by absolute path; messages use the short name.
function relabel(e: ValidationError, file: string): ValidationError {
  const name = e.file === file ? displayName(file) : e.file;
  return new ValidationError({ file: name, line: e.line, col: e.col }, e.detail, { cause: e });
}
