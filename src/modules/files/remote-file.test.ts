import assert from 'node:assert/strict';
import { dirWriters, parseProbe, probeArgv, probeFile, PROBE_SCRIPT, type RemoteFile } from './remote-file.js';
import { fakeContext } from '../../../test/support/module-context.js';
import { loadProbeCases, RecordedHost, runsScript } from '../../../test/support/recorded-host.js';

type Expected = Omit<RemoteFile, 'content'> & { content: string | null };

const CASES = loadProbeCases<Expected>('file-probe');

describe('file probe', () => {
  it('has recorded cases', () => {
    assert.ok(CASES.length >= 8);
  });

  for (const c of CASES) {
    it(`reads the recorded output: ${c.title}`, () => {
      const f = parseProbe(c.params[0] ?? '', c.stdout);
      assert.deepEqual({ ...f, content: f.content === null ? null : f.content.toString('utf8') }, c.expected);
    });
  }

  it('sends the path, the flags and the extra path as parameters of a constant script', () => {
    assert.deepEqual(probeArgv('/srv/a b', { follow: true, content: 'small', exists: '/srv/t' }), ['sh', '-c', PROBE_SCRIPT, 'kvmplay', '/srv/a b', 'Fc', '/srv/t']);
    assert.deepEqual(probeArgv('/srv/x'), ['sh', '-c', PROBE_SCRIPT, 'kvmplay', '/srv/x', '-', '']);
    assert.deepEqual(probeArgv('/srv/x', { content: true }).slice(4), ['/srv/x', 'C', '']);
  });

  it('gives an empty file asked with content an empty buffer, not null', async () => {
    const c = CASES.find((x) => x.name === 'empty-file-with-content');
    assert.ok(c);
    const host = new RecordedHost().on(runsScript(PROBE_SCRIPT), { stdout: c.stdout });
    const f = await probeFile(host, c.params[0] ?? '', fakeContext(), { content: true });
    assert.deepEqual(f.content, Buffer.alloc(0));
  });

  it('names who besides root and the probing user can write the directory', () => {
    assert.deepEqual(dirWriters('755 0 0 root root', '0', '0'), []);
    assert.deepEqual(dirWriters('755 1000 1000 alice alice', '0', '0'), ['alice']);
    assert.deepEqual(dirWriters('755 1000 1000 alice alice', '1000', '1000'), []);
    assert.deepEqual(dirWriters('2775 0 50 root staff', '0', '0'), ['group staff']);
    assert.deepEqual(dirWriters('1777 0 0 root root', '0', '0'), ['everyone']);
    assert.deepEqual(dirWriters('-', '0', '0'), []);
  });

  it('refuses output that is not the probe\'s', () => {
    assert.throws(() => parseProbe('/x', 'sh: 1: stat: not found\n'), /unexpected output from the file probe/);
    const probed = (pathId: string, sum: string): string =>
      `file directory\n40:7 600 0 0 3 root root\n${pathId}\n${sum}\n\n\n-\n0022\nuid=1000(ann) gid=1000(ann) groups=1000(ann)\n40:2 755 0 0 4096 root root\n\n`;
    assert.throws(() => parseProbe('/x', probed('40:7', '?')), /cannot read \/x/);
    assert.equal(parseProbe('/x', probed('40:7', `${'a'.repeat(64)}  -`)).sha256, 'a'.repeat(64));
    // The descriptor read is not the file at the path (a symlink swapped in), or the path is gone.
    assert.throws(() => parseProbe('/x', probed('40:9', `${'a'.repeat(64)}  -`)), /\/x changed while being read/);
    assert.throws(() => parseProbe('/x', probed('gone', `${'a'.repeat(64)}  -`)), /\/x changed while being read/);
  });

  it('fails the task when the probe itself fails', async () => {
    const host = new RecordedHost().on(runsScript(PROBE_SCRIPT), { rc: 2, stderr: 'sh: 1: cannot open\n' });
    await assert.rejects(probeFile(host, '/x', fakeContext()), /cannot inspect \/x: sh: 1: cannot open/);
  });
});
