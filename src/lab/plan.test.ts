import assert from 'node:assert/strict';
import { describeNames, planIsNoop, planLab, wantedKind, type ObservedHost } from './plan.js';

const host = (index: number, over: Partial<ObservedHost> = {}): ObservedHost => ({
  name: `lab0${index}`, index, kind: 'regular', rootfs: 'bookworm-a', condition: 'running', ...over,
});
const want = { hosts: 3, kind: 'regular' as const, systemd: 0, rootfs: 'bookworm-a' };

describe('planLab', () => {
  it('reuses a running lab of the same shape without doing anything', () => {
    const p = planLab([host(1), host(2), host(3)], want);
    assert.deepEqual(p.keep, ['lab01', 'lab02', 'lab03']);
    assert.ok(planIsNoop(p));
  });

  it('creates every host of an empty lab', () => {
    assert.deepEqual(planLab([], want).create, ['lab01', 'lab02', 'lab03']);
  });

  it('adds missing hosts and removes extra ones', () => {
    const grow = planLab([host(1)], want);
    assert.deepEqual([grow.keep, grow.create, grow.remove], [['lab01'], ['lab02', 'lab03'], []]);
    const shrink = planLab([host(1), host(2), host(3), host(4), host(5)], { ...want, hosts: 2 });
    assert.deepEqual([shrink.keep, shrink.remove], [['lab01', 'lab02'], ['lab03', 'lab04', 'lab05']]);
  });

  it('recreates hosts of the wrong kind or built on an older root filesystem', () => {
    const p = planLab([host(1, { kind: 'light' }), host(2, { rootfs: 'bookworm-old' }), host(3)], want);
    assert.deepEqual([p.recreate, p.keep], [['lab01', 'lab02'], ['lab03']]);
  });

  it('restarts a host whose sshd ended and recreates one whose namespace is gone', () => {
    const p = planLab([host(1, { condition: 'stopped' }), host(2, { condition: 'missing' }), host(3)], want);
    assert.deepEqual([p.restart, p.recreate, p.keep], [['lab01'], ['lab02'], ['lab03']]);
    assert.ok(!planIsNoop(p));
  });

  it('makes the last hosts systemd hosts when asked, keeping the regular ones', () => {
    const mixed = { ...want, hosts: 5, systemd: 2 };
    assert.deepEqual([1, 2, 3, 4, 5].map((i) => wantedKind(mixed, i)), ['regular', 'regular', 'regular', 'systemd', 'systemd']);
    const p = planLab([host(1), host(2), host(3), host(4)], mixed);
    assert.deepEqual([p.keep, p.recreate, p.create], [['lab01', 'lab02', 'lab03'], ['lab04'], ['lab05']]);
    const all = planLab([host(1, { kind: 'systemd' })], { ...want, hosts: 1, systemd: 1 });
    assert.deepEqual(all.keep, ['lab01']);
  });

  it('describes a plan for 1,000 hosts as runs of consecutive names', () => {
    const all = planLab([], { ...want, hosts: 1000 }).create;
    assert.equal(describeNames(all), 'lab01…lab1000');
    assert.equal(describeNames(['lab05', 'lab01', 'lab02', 'lab03', 'lab240', 'lab241', 'lab07']), 'lab01…lab03 lab05 lab07 lab240 lab241');
    assert.equal(describeNames(['lab09']), 'lab09');
  });
});
