// get_url, unarchive and the file modules' remaining arguments (copy, template, file)
// against ansible-playbook (test/support/twin.ts), on lab01 (each tool under its own
// root): the same statuses on the first and second runs, the same files and registered
// values. The lab host downloads from an HTTP server this test runs on the control
// machine's address on the lab switch (10.213.0.1, bound to that address only).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CONTROL_ADDRESS } from '../../src/lab/paths.js';
import { repoRoot } from '../support/cli.js';
import { TwinLab } from '../support/twin.js';

const fixtures = join(repoRoot, 'test', 'fixtures', 'twin-modules', 'files');
const PLAIN = 'plain text\n';
const LAST_MODIFIED = new Date('2024-01-02T03:04:05Z');

describe('get_url, unarchive, copy, template and file, against Ansible', function () {
  let lab: TwinLab;
  let server: Server;
  let base = '';
  let archive = '';
  const files = new Map<string, Buffer>();

  before(async () => {
    lab = await TwinLab.open('files');
    // The archives: made here, sent by unarchive (local src) and served for remote_src.
    const tree = join(lab.scratch, 'tree');
    mkdirSync(join(tree, 'app', 'conf'), { recursive: true });
    writeFileSync(join(tree, 'app', 'README'), 'read me\n');
    writeFileSync(join(tree, 'app', 'conf', 'app.conf'), 'a=1\n');
    writeFileSync(join(tree, 'top.txt'), 'top\n');
    archive = join(lab.scratch, 'app.tar.gz');
    const tar = (out: string, flag: string): void => {
      execFileSync('tar', ['-c', flag, '-f', out, '--owner=0', '--group=0', '--mtime=2024-01-02 03:04:05', '-C', tree, 'app', 'top.txt']);
    };
    tar(archive, '-z');
    tar(join(lab.scratch, 'app.tar.xz'), '-J');
    execFileSync('zip', ['-qr', join(lab.scratch, 'app.zip'), 'app', 'top.txt'], { cwd: tree });
    for (const f of ['app.tar.gz', 'app.tar.xz', 'app.zip']) files.set(`/${f}`, readFileSync(join(lab.scratch, f)));
    files.set('/plain.txt', Buffer.from(PLAIN));
    files.set('/ims.txt', Buffer.from('honours If-Modified-Since\n'));
    files.set('/SHA256SUMS', Buffer.from(`${createHash('sha256').update(PLAIN).digest('hex')}  plain.txt\n`));
    server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/secret.txt') {
        if (req.headers.authorization !== `Basic ${Buffer.from('ann:s3cr3t!').toString('base64')}`) res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="lab"' }).end();
        else res.end('secret\n');
        return;
      }
      if (path === '/echo') return void res.end(`${String(req.headers['x-kvmplay'])}\n`);
      if (path === '/attach') return void res.writeHead(200, { 'Content-Disposition': 'attachment; filename="named.txt"' }).end('named\n');
      const body = files.get(path);
      if (!body) return void res.writeHead(404).end('not here');
      const ims = req.headers['if-modified-since'];
      if (path === '/ims.txt' && ims && new Date(ims) >= LAST_MODIFIED) return void res.writeHead(304).end();
      res.writeHead(200, { 'Content-Length': body.length, 'Last-Modified': LAST_MODIFIED.toUTCString() }).end(body);
    });
    // Only the lab switch's address: the lab hosts reach the control machine there.
    await new Promise<void>((resolve) => server.listen(0, CONTROL_ADDRESS, resolve));
    base = `http://${CONTROL_ADDRESS}:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await lab.close();
  });

  const state = async (h: string, root: string): Promise<string> => `${await lab.fileTree(h, root)}${await lab.read(h, `${root}/results.txt`)}`;

  it('downloads with get_url as ansible-playbook does', async () => {
    const r = await lab.twin({
      playbook: join(fixtures, 'get-url.yaml'), ansibleHost: 'lab01', kvmplayHost: 'lab01', state,
      extraVars: { base, plain_sha256: createHash('sha256').update(PLAIN).digest('hex') },
    });
    assert.deepEqual(r.problems, []);
    assert.equal(r.kvmplay.code, 0, 'the playbook runs to its end');
    assert.ok(r.outcomes.includes('The same again (If-Modified-Since, 304): ok'), r.outcomes.join('\n'));
    assert.ok(r.outcomes.includes('Not found: failed'), r.outcomes.join('\n'));
  });

  it('unpacks archives with unarchive as ansible-playbook does', async () => {
    const r = await lab.twin({
      playbook: join(fixtures, 'unarchive.yaml'), ansibleHost: 'lab01', kvmplayHost: 'lab01', state,
      extraVars: { base, archive },
    });
    assert.deepEqual(r.problems, []);
    assert.equal(r.kvmplay.code, 0, 'the playbook runs to its end');
    assert.ok(r.outcomes.includes('The same again: ok'), r.outcomes.join('\n'));
    assert.ok(r.outcomes.includes('Skipped by creates: skipped'), r.outcomes.join('\n'));
  });

  it('gives file, copy and template their other arguments as ansible-playbook does', async () => {
    // The modification times asked for (not `now`, which differs by a second between the
    // tools; access times move whenever the state is read).
    const times = (h: string, root: string): Promise<string> =>
      lab.sh(h, '[ -d "$1/times" ] || exit 0; cd "$1" && stat -c "%n %Y" times/given times/formatted && find modes -exec stat -c "%n %Y" {} + | sort', root);
    const r = await lab.twin({
      playbook: join(fixtures, 'file-copy-template.yaml'), ansibleHost: 'lab01', kvmplayHost: 'lab01',
      state: async (h, root) => `${await state(h, root)}${await times(h, root)}`,
    });
    assert.deepEqual(r.problems, []);
    assert.equal(r.kvmplay.code, 0, 'the playbook runs to its end');
    assert.ok(r.outcomes.includes('Touch, now: changed'), r.outcomes.join('\n'));
    assert.ok(r.outcomes.includes('A wrong checksum: failed'), r.outcomes.join('\n'));
  });
});
