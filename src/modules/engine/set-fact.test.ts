import assert from 'node:assert/strict';
import { NO_PAIRS, setFactModule } from './set-fact.js';
import { isVariableName } from './variable-name.js';
import { fakeContext } from '../../../test/support/module-context.js';
import { RecordedHost } from '../../../test/support/recorded-host.js';

async function setFact(args: Record<string, unknown>, check = false) {
  const host = new RecordedHost();
  const r = await setFactModule.run(host, setFactModule.args.parse(args), fakeContext({ check }));
  assert.equal(host.calls.length, 0, 'set_fact never contacts the host');
  return r;
}

function issues(args: Record<string, unknown>): Array<{ path: PropertyKey[]; message: string }> {
  const r = setFactModule.args.safeParse(args);
  assert.equal(r.success, false, JSON.stringify(args));
  return r.error?.issues ?? [];
}

describe('set_fact', () => {
  it('returns the pairs as ansible_facts, never changed, any value type kept', async () => {
    const r = await setFact({ vm: { name: 'web', memory: 2048 }, disks: [1, 2], count: 3, note: 'text' });
    assert.equal(r.changed, false);
    assert.equal(r.failed, undefined);
    assert.deepEqual(r.data, { ansible_facts: { vm: { name: 'web', memory: 2048 }, disks: [1, 2], count: 3, note: 'text' } });
    assert.equal(r.msg, 'set vm, disks, count, note');
  });

  it('reads true/false/yes/no words as booleans (key=value pairs arrive as text), as Ansible does', async () => {
    const r = await setFact({ a: 'yes', b: 'False', c: 'true', d: 'no', e: '1', f: 'yess' });
    assert.deepEqual(r.data, { ansible_facts: { a: true, b: false, c: true, d: false, e: '1', f: 'yess' } });
  });

  it('accepts cacheable, which is not a fact and has no effect', async () => {
    assert.deepEqual((await setFact({ x: 1, cacheable: 'yes' })).data, { ansible_facts: { x: 1 } });
    assert.deepEqual(setFactModule.args.parse({ x: 1 }), { cacheable: false, facts: { x: 1 } });
  });

  it('gives the same result in check mode', async () => {
    assert.deepEqual((await setFact({ x: 'v' }, true)).data, { ansible_facts: { x: 'v' } });
  });

  it('refuses names that are not variable names, at the name, with Ansible\'s words', () => {
    const [bad] = issues({ good: 1, 'bad-name': 2 });
    assert.deepEqual(bad?.path, ['bad-name']);
    assert.match(bad?.message ?? '', /^The variable name 'bad-name' is not valid\. Variables must start with a letter or underscore/);
    for (const name of ['1x', 'a.b', 'class', 'True', 'é', '{{ n }}', '']) assert.equal(isVariableName(name), false, name);
    for (const name of ['_x', 'vm_1', 'Name', 'true']) assert.equal(isVariableName(name), true, name);
  });

  it('requires at least one pair, and a boolean cacheable', () => {
    assert.equal(issues({})[0]?.message, NO_PAIRS);
    assert.equal(issues({ cacheable: true })[0]?.message, NO_PAIRS);
    assert.deepEqual(issues({ x: 1, cacheable: 'maybe' })[0]?.path, ['cacheable']);
  });
});
