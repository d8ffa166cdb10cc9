// The differential conformance corpus (issue 12, "Must show"): every case of
// scripts/jinja-corpus/cases.yaml, rendered by ansible-core 2.14 itself into
// test/fixtures/jinja-corpus/<category>.json (scripts/jinja-corpus/run.sh), must render
// the same with kvmplay: values equal as JSON, texts byte for byte, errors as errors.
// Categories in COMPLETE must pass in full; the others are counted, never skipped: the
// last test prints how many of their cases already pass.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INSTALL_DIR } from '../util/install-dir.js';
import { compileJinja, ExprError, ExprSyntaxError } from './index.js';

/** Categories kvmplay matches in full; a regression in one of them fails the suite. */
const COMPLETE: ReadonlySet<string> = new Set<string>([
  'expressions', 'filters-dicts', 'filters-json-yaml', 'filters-lists', 'filters-regex', 'filters-strings', 'statements', 'whitespace',
]);

interface CorpusCase {
  name: string;
  template: string;
  vars: Record<string, unknown>;
  mode: 'value' | 'text';
  lstripBlocks?: boolean;
  expected: { value: unknown } | { text: string } | { error: 'undefined' | 'syntax' | 'type' };
}

const DIR = join(INSTALL_DIR, 'test/fixtures/jinja-corpus');

function loadCorpus(): Map<string, CorpusCase[]> {
  const corpus = new Map<string, CorpusCase[]>();
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()) {
    corpus.set(file.slice(0, -'.json'.length), JSON.parse(readFileSync(join(DIR, file), 'utf8')) as CorpusCase[]);
  }
  return corpus;
}

function render(c: CorpusCase): unknown {
  // Ansible's Templar renders variables as the template module renders files: trim_blocks
  // on (AnsibleEnvironment sets it) and trailing newlines kept (preserve_trailing_newlines
  // defaults to true); the template module adds its lstrip_blocks setting.
  if (c.mode === 'value') return compileJinja(c.template, { trimBlocks: true, keepTrailingNewline: true }).renderValue(c.vars);
  return compileJinja(c.template, { trimBlocks: true, lstripBlocks: c.lstripBlocks ?? false, keepTrailingNewline: true }).render(c.vars);
}

/** Throws an AssertionError saying how kvmplay's rendering differs from Ansible's. */
function check(c: CorpusCase): void {
  let actual: unknown;
  try {
    actual = render(c);
  } catch (err) {
    if ('error' in c.expected) {
      // Anything but kvmplay's own errors (a TypeError, a stack overflow) is a bug.
      const wanted = c.expected.error === 'syntax' ? ExprSyntaxError : ExprError;
      const ok = err instanceof wanted || (c.expected.error !== 'syntax' && err instanceof ExprSyntaxError);
      assert.ok(ok, `expected a ${c.expected.error} error, got ${String(err)}`);
      return;
    }
    throw new assert.AssertionError({ message: `Ansible renders ${JSON.stringify(c.expected)}, kvmplay throws ${String(err)}` });
  }
  if ('error' in c.expected) assert.fail(`Ansible fails (${c.expected.error}), kvmplay renders ${JSON.stringify(actual)}`);
  if ('text' in c.expected) assert.equal(actual, c.expected.text);
  else assert.equal(JSON.stringify(actual ?? null), JSON.stringify(c.expected.value));
}

const passes = (c: CorpusCase): boolean => {
  try {
    check(c);
    return true;
  } catch {
    return false;
  }
};

describe('Jinja conformance with ansible-core (test/fixtures/jinja-corpus)', () => {
  const corpus = loadCorpus();

  it('has the corpus: at least 400 cases, and every COMPLETE category exists', () => {
    const total = [...corpus.values()].reduce((n, cases) => n + cases.length, 0);
    assert.ok(total >= 400, `${total} cases`);
    for (const category of COMPLETE) assert.ok(corpus.has(category), `no fixture for ${category}`);
  });

  for (const category of COMPLETE) {
    describe(category, () => {
      for (const c of corpus.get(category) ?? []) {
        it(`renders ${c.name} as Ansible does: ${JSON.stringify(c.template)}`, () => check(c));
      }
    });
  }

  it('reports how many cases of each category not yet complete already pass', () => {
    const lines: string[] = [];
    for (const [category, cases] of corpus) {
      if (COMPLETE.has(category)) continue;
      const passed = cases.filter(passes).length;
      lines.push(`${category}: ${passed}/${cases.length}`);
    }
    if (lines.length > 0) console.log(`      pending categories (passing/total): ${lines.join(', ')}`);
  });
});
