import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { writeTree, type TempTree } from '../../../test/support/file-tree.js';
import { EXIT, OptionsError, ValidationError } from '../../errors.js';
import type { TaskResultEvent } from '../../output/events.js';
import { Recap, type RecapJson } from '../../output/recap.js';
import { recapMergeCommand } from './recap.js';

function result(host: string, status: TaskResultEvent['status']): TaskResultEvent {
  return { event: 'task', host, task: 't', status, changed: status === 'changed', duration_ms: 1, msg: '' };
}

/** What `run --json` prints for these task results: the events, then the recap. */
function jsonOutput(events: TaskResultEvent[]): string {
  const recap = new Recap();
  for (const e of events) recap.record(e);
  return [...events.map((e) => JSON.stringify(e)), JSON.stringify(recap.toJson())].join('\n') + '\n';
}

const counts = (ok: number, changed: number, failed = 0) => ({ ok, changed, failed, skipped: 0, unreachable: false });

describe('kvmplay recap merge FILE...', () => {
  let tree: TempTree | undefined;
  afterEach(async () => {
    await tree?.remove();
    tree = undefined;
  });

  async function merge(files: string[], o: { human?: boolean; stdin?: string } = {}): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const stdin = new PassThrough();
    stdin.end(o.stdin ?? '');
    const code = await recapMergeCommand({ files, human: Boolean(o.human) }, {
      out: new Writable({ write: (c: Buffer, _e, cb) => { out += c.toString(); cb(); } }),
      err: new Writable({ write: (c: Buffer, _e, cb) => { err += c.toString(); cb(); } }),
      stdin,
    });
    return { code, out, err };
  }

  it('prints the merged recap as one JSON line, reading `-` from standard input, and exits as the single run would', async () => {
    const second = jsonOutput([result('lab02', 'changed')]);
    tree = await writeTree({ 'shard-1.json': jsonOutput([result('lab01', 'failed')]), 'shard-2.json': second });
    const r = await merge([tree.path('shard-1.json'), '-'], { stdin: second });
    assert.equal(r.code, EXIT.hostFailed);
    assert.equal(r.out.split('\n').length, 2, 'one line');
    const recap = JSON.parse(r.out) as RecapJson;
    assert.deepEqual(Object.keys(recap), ['ok', 'hosts', 'duration_ms']);
    assert.deepEqual(recap.hosts, { lab01: counts(0, 0, 1), lab02: counts(1, 1) });
    assert.equal(recap.ok, false);
    const human = await merge([tree.path('shard-1.json'), tree.path('shard-2.json')], { human: true });
    assert.match(human.out, /^PLAY RECAP \*+\nlab01 +: ok=0 +changed=0 +unreachable=0 +failed=1 .*\nlab02 +: ok=1 +changed=1 /);
    assert.equal(human.code, EXIT.hostFailed);
  });

  it('names a file it cannot read (exit 4), and reads standard input only once (exit 5)', async () => {
    tree = await writeTree({ 'shard-1.json': jsonOutput([result('lab01', 'ok')]) });
    await assert.rejects(merge([tree.path('shard-1.json'), tree.path('missing.json')]),
      (e: unknown) => e instanceof ValidationError && e.exitCode === EXIT.validation && /missing\.json:1:1: cannot read the file: no such file/.test(e.message));
    await assert.rejects(merge(['-', '-']), (e: unknown) => e instanceof OptionsError && e.exitCode === EXIT.options);
  });

  it('lists every output without a recap line and every overlap in one error (exit 4)', async () => {
    const shard = jsonOutput([result('lab01', 'ok')]);
    tree = await writeTree({ 'a.json': shard, 'b.json': shard, 'crashed.json': JSON.stringify(result('lab02', 'ok')) + '\n' });
    await assert.rejects(merge([tree.path('a.json'), tree.path('b.json'), tree.path('crashed.json')]), (e: unknown) => {
      assert.ok(e instanceof ValidationError && e.exitCode === EXIT.validation, String(e));
      assert.match(e.message, /b\.json:2:1: host "lab01" is also in .*a\.json \(line 2\): the shards overlap/);
      assert.match(e.message, /crashed\.json:1:1: no recap line: the last line is a "task" event/);
      return true;
    });
  });

  it('warns on standard error about a shard that stopped before any host', async () => {
    const stopped = `${JSON.stringify({ event: 'error', kind: 'options', exit: EXIT.options, msg: 'KVMPLAY_SHARDS=4 needs JOB_COMPLETION_INDEX' })}\n{"ok":false,"hosts":{},"duration_ms":2}\n`;
    const r = await merge(['-'], { stdin: stopped });
    assert.equal(r.code, EXIT.options);
    assert.match(r.err, /^\[WARNING\]: -: that shard stopped before any host \(exit 5\): KVMPLAY_SHARDS=4 needs/);
    assert.deepEqual(JSON.parse(r.out), { ok: false, hosts: {}, duration_ms: 2 });
  });
});
