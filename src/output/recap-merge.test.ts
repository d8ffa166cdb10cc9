import assert from 'node:assert/strict';
import { EXIT, type SourcePosition } from '../errors.js';
import type { TaskResultEvent } from './events.js';
import { Recap } from './recap.js';
import { recapExitCode } from './recap-exit.js';
import { mergeRecaps, type MergedRecap, type ShardOutput } from './recap-merge.js';

function result(host: string, status: TaskResultEvent['status'], task = 't'): TaskResultEvent {
  return { event: 'task', host, task, status, changed: status === 'changed', duration_ms: 1, msg: '' };
}

/** The problems of merging `outputs`, as the CLI lists them: `file:line:col: detail`. */
function problemsOf(outputs: ShardOutput[]): string[] {
  const found: string[] = [];
  mergeRecaps(outputs, { add: (pos: SourcePosition, detail: string) => found.push(`${pos.file}:${pos.line}:${pos.col}: ${detail}`) });
  return found;
}

/** A merge expected to have no problem. */
function mergeClean(outputs: ShardOutput[]): MergedRecap {
  const found: string[] = [];
  const merged = mergeRecaps(outputs, { add: (pos, detail) => found.push(`${pos.file}:${pos.line}: ${detail}`) });
  assert.deepEqual(found, []);
  return merged;
}

/** What `run --json` prints for these task results: the events, then the recap. */
function jsonOutput(events: TaskResultEvent[], hosts: string[] = [], durationMs = 10): string {
  const recap = new Recap();
  for (const h of hosts) recap.addHost(h);
  for (const e of events) recap.record(e);
  return [...events.map((e) => JSON.stringify(e)), JSON.stringify({ ...recap.toJson(), duration_ms: durationMs })].join('\n') + '\n';
}

const counts = (ok: number, changed: number, failed = 0, skipped = 0, unreachable = false) => ({ ok, changed, failed, skipped, unreachable });

function rejects(outputs: ShardOutput[], ...expected: RegExp[]): void {
  const found = problemsOf(outputs);
  assert.equal(found.length, expected.length, found.join('\n'));
  expected.forEach((re, i) => assert.match(found[i]!, re));
}

describe('recap merge: the shards of one run as the recap of a single run', () => {
  it('joins the hosts (sorted), takes the slowest duration, and exits 0 when all went well', () => {
    const a = jsonOutput([result('lab03', 'changed'), result('lab01', 'ok'), result('lab01', 'skipped')], [], 120);
    const b = jsonOutput([result('lab02', 'ok')], ['lab02', 'lab04'], 300);
    const merged = mergeClean([{ name: 'a.json', text: a }, { name: 'b.json', text: b }]);
    assert.deepEqual(merged.json, {
      ok: true,
      hosts: { lab01: counts(1, 0, 0, 1), lab02: counts(1, 0), lab03: counts(1, 1), lab04: counts(0, 0) },
      duration_ms: 300,
    });
    assert.deepEqual(Object.keys(merged.json.hosts), ['lab01', 'lab02', 'lab03', 'lab04']);
    assert.equal(merged.exit, EXIT.ok);
    assert.deepEqual(merged.stopped, []);
  });

  it('is what one run over all the hosts prints and exits with (a failed host: 2, else an unreachable one: 3)', () => {
    const cases: { name: string; events: TaskResultEvent[]; exit: number }[] = [
      { name: 'all ok', events: [result('h1', 'ok'), result('h2', 'changed'), result('h3', 'ok'), result('h4', 'skipped')], exit: EXIT.ok },
      { name: 'one failed', events: [result('h1', 'ok'), result('h2', 'failed'), result('h3', 'changed'), result('h4', 'ok')], exit: EXIT.hostFailed },
      { name: 'one unreachable', events: [result('h1', 'ok'), result('h2', 'ok'), result('h3', 'unreachable'), result('h4', 'ok')], exit: EXIT.unreachable },
      { name: 'failed and unreachable in other shards', events: [result('h1', 'unreachable'), result('h2', 'ok'), result('h3', 'ok'), result('h4', 'failed')], exit: EXIT.hostFailed },
    ];
    for (const c of cases) {
      const single = new Recap();
      for (const e of c.events) single.record(e);
      const shards = [['h1', 'h3'], ['h2'], ['h4']].map((hosts, i) => ({ name: `shard-${i + 1}.json`, text: jsonOutput(c.events.filter((e) => hosts.includes(e.host)), hosts) }));
      const merged = mergeClean(shards);
      assert.deepEqual(merged.json.hosts, single.toJson().hosts, c.name);
      assert.equal(merged.json.ok, single.toJson().ok, c.name);
      assert.equal(merged.exit, recapExitCode(single), c.name);
      assert.equal(merged.exit, c.exit, c.name);
    }
  });

  it('refuses a host found in two outputs: the shards overlap, naming both files', () => {
    const a = jsonOutput([result('lab01', 'ok'), result('lab02', 'ok')]);
    const b = jsonOutput([result('lab02', 'ok')]);
    rejects([{ name: 'a.json', text: a }, { name: 'b.json', text: b }], /^b\.json:2:1: host "lab02" is also in a\.json \(line 3\): the shards overlap/);
  });

  it('refuses an output whose last line is not a recap, naming each such file', () => {
    const good = jsonOutput([result('lab01', 'ok')]);
    const crashed = JSON.stringify(result('lab02', 'ok')) + '\n';
    rejects([
      { name: 'good.json', text: good },
      { name: 'empty.json', text: '\n\n' },
      { name: 'crashed.json', text: crashed },
      { name: 'plain.txt', text: 'PLAY RECAP ****\nlab03 : ok=1\n' },
      { name: 'array.json', text: '[1]\n' },
      { name: 'counts.json', text: '{"ok":true,"hosts":{"lab04":{"ok":1}},"duration_ms":1}\n' },
    ],
    /^empty\.json:1:1: no recap line: the output is empty/,
    /^crashed\.json:1:1: no recap line: the last line is a "task" event, not the recap \(did this shard crash/,
    /^plain\.txt:2:1: no recap line: the last line is not JSON/,
    /^array\.json:1:1: no recap line: the last line is not a JSON object/,
    /^counts\.json:1:1: no recap line: the last line has counts for host "lab04" that are not/);
  });

  it('reads CRLF line ends and blank lines after the recap', () => {
    const text = jsonOutput([result('lab01', 'changed')]).replace(/\n/g, '\r\n') + '\r\n\r\n';
    assert.deepEqual(mergeClean([{ name: 'x', text }]).json.hosts, { lab01: counts(1, 1) });
  });

  it('exits as a shard that stopped before any host did (its error event), and is then not ok', () => {
    const stopped = [
      JSON.stringify({ event: 'error', kind: 'validation', exit: EXIT.validation, file: 'site.yml', line: 3, col: 5, msg: 'unknown module "cmd"' }),
      JSON.stringify({ ok: false, hosts: {}, duration_ms: 4 }),
    ].join('\n');
    const merged = mergeClean([{ name: 'a.json', text: jsonOutput([result('lab01', 'ok')]) }, { name: 'b.json', text: stopped }]);
    assert.equal(merged.exit, EXIT.validation);
    assert.equal(merged.json.ok, false);
    assert.deepEqual(merged.stopped, [{ name: 'b.json', exit: EXIT.validation, messages: ['unknown module "cmd"'] }]);
  });
});
