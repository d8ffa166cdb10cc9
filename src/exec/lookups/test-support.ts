// For the tests beside it: a folder of small files under the system temp folder
// (written synchronously, removed by the test's after hook), and a plugin run outside
// a template, whose failures are plain Errors.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kwargs } from '../../jinja/builtin.js';
import { type LookupContext, lookupProvider } from './provider.js';

export interface TempTree {
  dir: string;
  path(...rel: string[]): string;
  remove(): void;
}

/** `files` maps relative paths to contents; a path ending in `/` makes an empty folder. */
export function makeTree(files: Record<string, string>): TempTree {
  const dir = mkdtempSync(path.join(tmpdir(), 'kvmplay-lookups-'));
  for (const [rel, text] of Object.entries(files)) {
    const full = path.join(dir, rel);
    if (rel.endsWith('/')) {
      mkdirSync(full, { recursive: true });
      continue;
    }
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  return { dir, path: (...rel) => path.join(dir, ...rel), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A context over `searchDirs` with `vars`; warnings are collected in `warnings`. */
export function lookupContext(searchDirs: readonly string[], vars: Record<string, unknown> = {}): LookupContext & { warnings: string[] } {
  const warnings: string[] = [];
  return { searchDirs, vars, warnings, warn: (m) => warnings.push(m) };
}

/** Runs one plugin as lookup()/query() would, before any joining. */
export function runLookup(ctx: LookupContext, plugin: string, terms: readonly unknown[], options: Kwargs = {}): unknown[] {
  return lookupProvider(ctx).run(plugin, terms, options, (message) => {
    throw new Error(message);
  });
}
