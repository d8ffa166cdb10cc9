// --limit as Ansible reads it: a host pattern whose `@FILE` parts are replaced by the
// host names in FILE, one a line (a retry file).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { OptionsError } from '../errors.js';
import { splitHostPattern } from '../inventory/index.js';

export function resolveLimit(limit: string | undefined, cwd = process.cwd()): string | undefined {
  if (limit === undefined || !limit.includes('@')) return limit;
  const parts = splitHostPattern(limit).flatMap((part) => (part.startsWith('@') ? hostsInFile(resolve(cwd, part.slice(1))) : [part]));
  if (parts.length === 0) throw new OptionsError(`--limit ${JSON.stringify(limit)}: the file names no host`);
  return parts.join(',');
}

function hostsInFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new OptionsError(`--limit @${file}: cannot read it: ${e instanceof Error ? e.message : String(e)}`);
  }
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
}
