import assert from 'node:assert/strict';
import { ALL_PASSED, ASSERTION_FAILED, assertModule } from './assert.js';
import type { RunModuleContext } from '../module.js';
import { fakeContext } from '../../../test/support/module-context.js';
import { RecordedHost } from '../../../test/support/recorded-host.js';

const VARS = { port: 22, items: ['a', 'b'], ready: true };

async function check(args: Record<string, unknown>, over: Partial<RunModuleContext> = {}) {
  const host = new RecordedHost();
  const r = await assertModule.run(host, assertModule.args.parse(args), fakeContext({ vars: VARS, ...over }));
  assert.equal(host.calls.length, 0, 'assert never contacts the host');
  return r;
}

function issues(args: Record<string, unknown>): Array<{ path: PropertyKey[]; message: string }> {
  const r = assertModule.args.safeParse(args);
  assert.equal(r.success, false, JSON.stringify(args));
  return r.error?.issues ?? [];
}

describe('assert', () => {
  it('passes when every condition holds: All assertions passed, never changed', async () => {
    assert.deepEqual(await check({ that: ['port == 22', 'items | length == 2', 'ready'] }), { changed: false, msg: ALL_PASSED });
    assert.deepEqual(await check({ that: 'port > 1' }), { changed: false, msg: ALL_PASSED });
  });

  it('says success_msg when given', async () => {
    assert.equal((await check({ that: 'ready', success_msg: 'all good' })).msg, 'all good');
  });

  it('fails at the first false condition: assertion, evaluated_to false, Assertion failed', async () => {
    const r = await check({ that: ['port == 22', 'port == 23', 'undefined_var'] });
    assert.deepEqual(r, { changed: false, failed: true, msg: ASSERTION_FAILED, data: { assertion: 'port == 23', evaluated_to: false } });
  });

  it('fails with fail_msg, or its alias msg; a list message keeps its value', async () => {
    assert.equal((await check({ that: 'not ready', fail_msg: 'not ready yet' })).msg, 'not ready yet');
    assert.equal((await check({ that: 'not ready', msg: 'via alias' })).msg, 'via alias');
    const r = await check({ that: 'not ready', fail_msg: ['one', 'two'] });
    assert.equal(r.msg, '["one","two"]');
    assert.deepEqual(r.data, { assertion: 'not ready', evaluated_to: false, msg: ['one', 'two'] });
  });

  it('takes a condition a template rendered to a boolean', async () => {
    assert.equal((await check({ that: [true] })).failed, undefined);
    assert.deepEqual((await check({ that: false })).data, { assertion: false, evaluated_to: false });
  });

  it('fails with the condition named when it cannot be evaluated', async () => {
    const r = await check({ that: 'nope > 1' });
    assert.equal(r.failed, true);
    assert.match(r.msg, /^The conditional check 'nope > 1' failed\. The error was: undefined variable 'nope'/);
  });

  it('gives the real verdict in check mode, both ways', async () => {
    assert.deepEqual(await check({ that: 'ready' }, { check: true }), { changed: false, msg: ALL_PASSED });
    assert.equal((await check({ that: 'not ready' }, { check: true })).failed, true);
  });

  it('accepts quiet (no effect on the result)', async () => {
    assert.equal((await check({ that: 'ready', quiet: 'yes' })).msg, ALL_PASSED);
  });

  it('rejects, at argument validation, a condition that does not compile, at its index', () => {
    const [one] = issues({ that: ['port == 22', 'port =='] });
    assert.deepEqual(one?.path, ['that', 1]);
    assert.match(one?.message ?? '', /^condition "port ==" does not compile: expression syntax error at column/);
    assert.deepEqual(issues({ that: 'a b' })[0]?.path, ['that']);
    assert.equal(assertModule.args.safeParse({ that: '{{ x }} == 1' }).success, true, 'a template is checked after rendering');
  });

  it('requires that, refuses unknown arguments and msg given with fail_msg', () => {
    assert.match(JSON.stringify(issues({})), /missing required argument that/);
    assert.match(JSON.stringify(issues({ that: 'ready', when: 'x' })), /when/);
    assert.match(JSON.stringify(issues({ that: 'ready', msg: 'a', fail_msg: 'b' })), /same argument/);
    assert.match(JSON.stringify(issues({ that: 'ready', fail_msg: 3 })), /fail_msg/);
  });
});
