import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { slurpModule, slurpOutcome } from './slurp.js';
import { LocalHost } from '../../transport/local/local-host.js';
import { fakeContext } from '../../../test/support/module-context.js';

const slurp = (raw: Record<string, unknown>) => slurpModule.run(new LocalHost(), slurpModule.args.parse(raw), fakeContext());

describe('slurp module', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kvmplay-slurp-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('returns the bytes base64-encoded, through a symlink, unchanged', async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 10]);
    writeFileSync(join(dir, 'f'), bytes);
    symlinkSync('f', join(dir, 'l'));
    const r = await slurp({ path: join(dir, 'l') });
    assert.deepEqual([r.changed, r.data], [false, { content: bytes.toString('base64'), source: join(dir, 'l'), encoding: 'base64' }]);
  });

  it('gives an empty file empty content', async () => {
    writeFileSync(join(dir, 'e'), '');
    assert.equal((await slurp({ src: join(dir, 'e') })).data?.['content'], '');
  });

  it("fails with slurp.py's messages", async () => {
    const missing = await slurp({ src: join(dir, 'nope') });
    assert.deepEqual([missing.failed, missing.msg], [true, `file not found: ${join(dir, 'nope')}`]);
    assert.equal((await slurp({ src: dir })).msg, `source is a directory and must be a file: ${dir}`);
    writeFileSync(join(dir, 'f'), '');
    assert.equal((await slurp({ src: join(dir, 'f', 'x') })).msg, `unable to slurp file: [Errno 20] Not a directory: '${join(dir, 'f', 'x')}'`);
  });

  it('says a file is unreadable by its exit status', () => {
    assert.deepEqual(slurpOutcome('/root/x', 4, '', ''), { error: 'file is not readable: /root/x' });
  });
});
