import assert from 'node:assert/strict';
import { z } from 'zod';
import { absPath, argumentSpec } from './args.js';

const Spec = argumentSpec(
  {
    path: absPath.optional(),
    state: z.enum(['present', 'absent']).default('present'),
    line: z.string().optional(),
    insertafter: z.string().optional(),
    insertbefore: z.string().optional(),
  },
  {
    aliases: { path: ['dest', 'name'] },
    required: ['path'],
    mutuallyExclusive: [['insertafter', 'insertbefore']],
    requiredIf: [['state', 'present', ['line']]],
  },
);

const messages = (raw: unknown): string[] => {
  const r = Spec.safeParse(raw);
  return r.success ? [] : r.error.issues.map((i) => i.message);
};

describe('argument spec (aliases, mutually exclusive, required_if)', () => {
  it('hands an alias to the module under the canonical name', () => {
    assert.deepEqual(Spec.parse({ dest: '/etc/x', line: 'a' }), { path: '/etc/x', state: 'present', line: 'a' });
  });

  it('refuses an argument given twice under two names', () => {
    assert.deepEqual(messages({ path: '/a', dest: '/b', line: 'x' }), ['path and dest are the same argument: give only one of them']);
  });

  it("words missing, exclusive and conditional requirements as Ansible does", () => {
    assert.deepEqual(messages({ line: 'x' }), ['missing required argument path (or its aliases dest, name)']);
    assert.deepEqual(messages({ path: '/a', line: 'x', insertafter: 'a', insertbefore: 'b' }), ['parameters are mutually exclusive: insertafter|insertbefore']);
    assert.deepEqual(messages({ path: '/a' }), ['state is present but all of the following are missing: line']);
    assert.deepEqual(messages({ path: '/a', state: 'absent' }), []);
  });

  it('still refuses unknown arguments', () => {
    assert.equal(Spec.safeParse({ path: '/a', line: 'x', modee: 1 }).success, false);
  });
});
