// --check --diff over every file module with a change to make (test/fixtures/check-diff):
// nothing on the host moves, each task reports the status ansible-playbook --check
// reports for it, and every module whose change is a file's content or attributes
// shows that change as a diff (get_url shows none and unarchive is skipped, as in Ansible).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ansiblePlaybook } from '../support/ansible.js';
import { explain, kvmplay, lastJsonLine, repoRoot } from '../support/cli.js';
import { ansibleOutcomes, kvmplayOutcomes, textDiff, TwinLab } from '../support/twin.js';

const fixture = (name: string): string => join(repoRoot, 'test', 'fixtures', 'check-diff', name);
const HOST = 'lab01';
const WITH_DIFF = ['copy', 'template', 'file directory', 'file touch', 'file absent', 'file link', 'file mode', 'lineinfile', 'blockinfile', 'replace'];

interface TaskEvent { event: string; task: string; status: string; diff?: string }

describe('--check --diff over every file module', function () {
  let lab: TwinLab;
  before(async () => {
    lab = await TwinLab.open('check-diff');
  });
  after(async () => lab.close());

  it('changes nothing, reports what ansible-playbook --check reports, and shows each file change as a diff', async () => {
    const [aRoot, kRoot] = [`${lab.base}/ansible`, `${lab.base}/kvmplay`];
    for (const root of [aRoot, kRoot]) {
      const setup = await kvmplay(['run', fixture('setup.yaml'), '-i', lab.lab.inventory, '--limit', HOST, '-e', `root=${root}`]);
      assert.equal(setup.code, 0, explain(setup));
    }
    const before = await lab.fileTree(HOST, kRoot);

    const k = await kvmplay(['run', fixture('check-diff.yaml'), '-i', lab.lab.inventory, '--limit', HOST, '-e', `root=${kRoot}`, '--check', '--diff', '--json']);
    assert.equal(k.code, 0, explain(k));
    assert.equal(await lab.fileTree(HOST, kRoot), before, 'kvmplay --check moved the host');
    assert.equal(lastJsonLine<{ hosts: Record<string, { changed: number }> }>(k.stdout).hosts[HOST]?.changed, 11); // unarchive is skipped in check mode, as in Ansible

    const events = k.stdout.trimEnd().split('\n').slice(0, -1).map((l) => JSON.parse(l) as TaskEvent).filter((e) => e.event === 'task');
    for (const name of WITH_DIFF) {
      const e = events.find((x) => x.task === name);
      assert.ok(e?.diff !== undefined && /^[-+]/m.test(e.diff), `${name}: no diff in ${JSON.stringify(e)}`);
    }

    const a = await ansiblePlaybook(['-i', lab.lab.inventory, '--limit', HOST, '-e', `root=${aRoot}`, '--check', '--diff', fixture('check-diff.yaml')], {
      scratch: join(lab.scratch, 'ansible'), remoteTemp: `${lab.base}/ansible-tmp`, timeoutMs: 300_000,
    });
    assert.equal(a.code, 0, a.stdout.slice(-3000));
    assert.equal(textDiff('task outcomes under --check', ansibleOutcomes(a.stdout, HOST).join('\n'), kvmplayOutcomes(k.stdout, HOST).join('\n')), '');
  });
});
