// blockinfile, replace and lineinfile against Ansible's (test/support/twin.ts): the same
// playbook run by ansible-playbook and by kvmplay on one lab host, each under its own
// root; the files they leave (content, mode, owner; backups by their shape) and the
// registered results the playbooks save must agree, and so must the --diff of each task.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ansibleTaskResults, parseAnsibleJson } from '../support/ansible.js';
import { repoRoot } from '../support/cli.js';
import { textDiff, TwinLab } from '../support/twin.js';
import { unifiedDiff } from '../../src/util/text.js';

const fixture = (name: string): string => join(repoRoot, 'test', 'fixtures', 'twin-modules', 'file-edit', name);
const HOST = 'lab01';

// Every file under $1: its name, type, mode, owner and content (base64: CRLF and
// non-UTF-8 bytes stay visible). Backups are named `x.<pid or random>.<date>~`.
const TREE = `cd "$1" 2>/dev/null || exit 0
find . -mindepth 1 | LC_ALL=C sort | while IFS= read -r f; do
  printf '%s %s\\n' "$f" "$(stat -c '%F %a %U:%G' -- "$f")"
  if [ -f "$f" ]; then base64 -w0 < "$f"; echo; fi
done`;

async function fileState(lab: TwinLab, host: string, root: string): Promise<string> {
  const out = await lab.sh(host, TREE, root);
  return out
    .replace(/\.[0-9a-f]+\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~/g, '.BACKUP~')
    .split('\n')
    // Content lines are base64: decoded, with the root (results name paths) made neutral.
    .map((l) => (/^\.\//.test(l) || l === '' ? l : JSON.stringify(Buffer.from(l, 'base64').toString('latin1').split(root).join('ROOT'))))
    .join('\n');
}

interface KvmplayTaskEvent { event: string; task: string; host: string; status: string; diff?: string; items?: unknown[] }

/** The changed lines (+/-) of a unified diff, without its headers, nor the attribute part; roots made neutral. */
function changedLines(diff: string, base: string): string[] {
  const content = diff.split(/^--- before: .* \(file attributes\)$/m)[0] ?? '';
  const root = new RegExp(`${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\d+-(ansible|kvmplay)`, 'g');
  return content.split('\n').filter((l) => /^[-+]/.test(l) && !/^(---|\+\+\+) /.test(l)).map((l) => l.replace(root, 'ROOT'));
}

/**
 * The content part of each task's --diff, Ansible's (before/after, as the unified diff
 * kvmplay would make of them) next to kvmplay's, for the tasks without a loop.
 */
function diffProblems(ansibleStdout: string, kvmplayStdout: string, base: string): string[] {
  const ansible = new Map<string, string[]>();
  for (const r of ansibleTaskResults(parseAnsibleJson(ansibleStdout))) {
    // A failed task: Ansible shows no diff, kvmplay's runner shows what the plan was.
    if (r.host !== HOST || r.items || r.status === 'failed') continue;
    const d = r.result['diff'];
    const first = Array.isArray(d) ? (d[0] as Record<string, unknown> | undefined) : (d as Record<string, unknown> | undefined);
    if (!first || typeof first['before'] !== 'string' || typeof first['after'] !== 'string') continue;
    ansible.set(r.task, changedLines(unifiedDiff('x', first['before'], first['after']), base));
  }
  const problems: string[] = [];
  const events = kvmplayStdout.trimEnd().split('\n').slice(0, -1).map((l) => JSON.parse(l) as KvmplayTaskEvent);
  for (const e of events.filter((x) => x.event === 'task' && x.host === HOST && !x.items && x.status !== 'failed')) {
    const want = ansible.get(e.task) ?? [];
    const got = e.diff ? changedLines(e.diff, base) : [];
    const d = textDiff(`--diff of "${e.task}"`, want.map((l) => `${l}\n`).join(''), got.map((l) => `${l}\n`).join(''));
    if (d) problems.push(d);
  }
  return problems;
}

describe('blockinfile, replace and lineinfile against ansible-playbook', function () {
  let lab: TwinLab;
  before(async () => {
    lab = await TwinLab.open('file-edit');
  });
  after(async () => lab.close());

  for (const name of ['blockinfile', 'replace', 'lineinfile']) {
    it(`${name}: the same statuses, files, registered results and --diff as Ansible's`, async () => {
      const r = await lab.twin({
        playbook: fixture(`${name}.yaml`),
        ansibleHost: HOST,
        kvmplayHost: HOST,
        args: ['--diff'],
        state: (host, root) => fileState(lab, host, root),
      });
      assert.deepEqual(r.problems, []);
      assert.deepEqual(diffProblems(r.ansible.stdout, r.kvmplay.stdout, lab.base), []);
      assert.ok(r.outcomes.length > 10, r.outcomes.join('\n'));
    });
  }
});
