// The differential conformance corpus (issue 12, "Must show"): every case of
// scripts/jinja-corpus/cases.yaml, rendered by ansible-core 2.14 itself into
// test/fixtures/jinja-corpus/<category>.json (scripts/jinja-corpus/run.sh), must render
// the same with kvmplay: values equal as JSON, texts byte for byte, errors as errors.
// Every case must match, except the differences kvmplay keeps on purpose (listed in the
// README): for those the test asserts kvmplay's own documented result instead.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INSTALL_DIR } from '../util/install-dir.js';
import { compileJinja, ExprError, ExprSyntaxError } from './index.js';
import { LOOKUP_PROVIDER, type LookupProvider } from './lookups.js';

const NUMBERS = 'JavaScript has one number type: a float with a whole value is an integer (3.0 prints as 3, `is float` is false)';
const FQCN_TESTS = 'kvmplay accepts ansible.builtin. names for tests as for filters, as ansible-core 2.15 and later do';

/** Cases where kvmplay differs from ansible-core 2.14 on purpose: why, and what kvmplay gives. */
const KNOWN_DIFFERENCES: ReadonlyMap<string, { why: string; kvmplay: unknown }> = new Map([
  ['filters-numbers-9', { why: NUMBERS, kvmplay: '3' }],
  ['filters-numbers-10', { why: NUMBERS, kvmplay: '0' }],
  ['filters-numbers-13', { why: NUMBERS, kvmplay: '3' }],
  ['filters-numbers-15', { why: NUMBERS, kvmplay: '2' }],
  ['filters-numbers-22', { why: NUMBERS, kvmplay: '4' }],
  ['filters-numbers-23', { why: NUMBERS, kvmplay: '3' }],
  ['filters-numbers-24', { why: NUMBERS, kvmplay: '3' }],
  ['filters-numbers-25', { why: NUMBERS, kvmplay: '256' }],
  ['filters-numbers-44', { why: NUMBERS, kvmplay: '2' }],
  ['literals-4', { why: NUMBERS, kvmplay: '1000' }],
  ['literals-33', { why: NUMBERS, kvmplay: '2' }],
  ['operators-55', { why: NUMBERS, kvmplay: '2' }],
  ['types-3', { why: NUMBERS, kvmplay: '5' }],
  ['types-52', { why: NUMBERS, kvmplay: '2' }],
  ['types-53', { why: NUMBERS, kvmplay: '1' }],
  ['tests-19', { why: NUMBERS, kvmplay: false }],
  ['tests-121', { why: FQCN_TESTS, kvmplay: true }],
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

// The corpus's only lookup is `env`; the real plugins live in src/exec/lookups (the control machine).
const ENV_ONLY: LookupProvider = {
  run: (plugin, terms, _options, fail) => (plugin === 'env' ? terms.map((t) => process.env[String(t)] ?? '') : fail(`no ${plugin} here`)),
};

function render(c: CorpusCase): unknown {
  const vars = { ...c.vars, [LOOKUP_PROVIDER]: ENV_ONLY };
  // Ansible's Templar renders variables as the template module renders files: trim_blocks
  // on (AnsibleEnvironment sets it) and trailing newlines kept (preserve_trailing_newlines
  // defaults to true); the template module adds its lstrip_blocks setting.
  if (c.mode === 'value') return compileJinja(c.template, { trimBlocks: true, keepTrailingNewline: true }).renderValue(vars);
  return compileJinja(c.template, { trimBlocks: true, lstripBlocks: c.lstripBlocks ?? false, keepTrailingNewline: true }).render(vars);
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

describe('Jinja conformance with ansible-core (test/fixtures/jinja-corpus)', () => {
  const corpus = loadCorpus();

  it('has the corpus: at least 400 cases, and every known difference names a case of it', () => {
    const cases = [...corpus.values()].flat();
    assert.ok(cases.length >= 400, `${cases.length} cases`);
    const names = new Set(cases.map((c) => c.name));
    for (const name of KNOWN_DIFFERENCES.keys()) assert.ok(names.has(name), `${name} is not in the corpus`);
  });

  for (const [category, cases] of corpus) {
    describe(category, () => {
      for (const c of cases) {
        const known = KNOWN_DIFFERENCES.get(c.name);
        if (known === undefined) {
          it(`renders ${c.name} as Ansible does: ${JSON.stringify(c.template)}`, () => check(c));
        } else {
          it(`renders ${c.name} as kvmplay documents (${known.why}): ${JSON.stringify(c.template)}`, () => {
            assert.deepEqual(render(c), known.kvmplay);
          });
        }
      }
    });
  }
});
