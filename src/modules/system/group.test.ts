import assert from 'node:assert/strict';
import { fakeContext } from '../../../test/support/module-context.js';
import { RecordedHost } from '../../../test/support/recorded-host.js';
import { GroupArgs, groupModule, planGroup, type GroupState } from './group.js';

const plan = (a: Record<string, unknown>, s: GroupState): string[] => {
  const p = planGroup(GroupArgs.parse(a), s);
  return 'fail' in p ? [`fail ${p.fail}`] : p.changes.map((c) => (c.kind === 'readback' ? 'readback' : c.argv.join(' ')));
};

describe('group planning', () => {
  const table: Array<[string, Record<string, unknown>, GroupState, string[]]> = [
    ['creates a missing group with its gid', { name: 'g', gid: 3801 }, { gid: null }, ['groupadd -g 3801 g', 'readback']],
    ['creates a system group with a non-unique gid', { name: 'g', gid: 0, non_unique: true, system: true }, { gid: null }, ['groupadd -g 0 -o -r g', 'readback']],
    ['changes a gid that differs', { name: 'g', gid: 3802 }, { gid: 3801 }, ['groupmod -g 3802 g', 'readback']],
    ['leaves a group without gid alone', { name: 'g' }, { gid: 3801 }, []],
    ['removes a group, forced', { name: 'g', state: 'absent', force: true }, { gid: 3801 }, ['groupdel -f g', 'readback']],
    ['does nothing for a missing group to remove', { name: 'g', state: 'absent' }, { gid: null }, []],
  ];
  for (const [title, a, s, expected] of table) it(title, () => assert.deepEqual(plan(a, s), expected));

  it("registers group.py's keys: gid and system while the group exists; only `changed` in check mode for a new one", () => {
    const kept = planGroup(GroupArgs.parse({ name: 'g' }), { gid: 3801 });
    assert.ok(!('fail' in kept));
    assert.deepEqual(kept.data, { name: 'g', state: 'present', system: false, gid: 3801 });
    const added = planGroup(GroupArgs.parse({ name: 'g' }), { gid: null });
    assert.ok(!('fail' in added));
    assert.deepEqual(added.data, {});
  });

  it('refuses local: true and non_unique without gid', () => {
    assert.match(GroupArgs.safeParse({ name: 'g', local: true }).error?.issues[0]?.message ?? '', /"local: true" is not supported by kvmplay/);
    assert.match(GroupArgs.safeParse({ name: 'g', non_unique: true }).error?.issues[0]?.message ?? '', /non_unique is true but all of the following are missing: gid/);
  });
});

describe('group module', () => {
  const isGetent = (argv: readonly string[]): boolean => argv[0] === 'getent';

  it('creates the group and reads its gid back; check mode runs only getent', async () => {
    // getent answers as on a Debian host: rc 2 for a missing group.
    const host = new RecordedHost().on(isGetent, { rc: 2 }, 2).on(isGetent, { stdout: 'kvtw:x:3801:\n' }).on(['groupadd'], {});
    const a = groupModule.args.parse({ name: 'kvtw', gid: 3801 });
    const check = await groupModule.run(host, a, fakeContext({ check: true }));
    assert.equal(check.msg, 'would create group kvtw');
    assert.deepEqual(host.commands().filter((c) => !isGetent(c)), []);
    const r = await groupModule.run(host, a, fakeContext());
    assert.equal(r.changed, true);
    assert.equal(r.msg, 'create group kvtw');
    assert.deepEqual(r.data, { name: 'kvtw', state: 'present', system: false, gid: 3801 });
  });

  it("fails with groupdel's stderr", async () => {
    const host = new RecordedHost().on(isGetent, { stdout: 'kvtw:x:3801:\n' }).on(['groupdel'], { rc: 8, stderr: "groupdel: cannot remove the primary group of user 'kvtw-a'\n" });
    const r = await groupModule.run(host, groupModule.args.parse({ name: 'kvtw', state: 'absent' }), fakeContext());
    assert.equal(r.failed, true);
    assert.equal(r.msg, "groupdel: cannot remove the primary group of user 'kvtw-a'");
  });
});
