import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checksumFromFile, getUrlModule, resolveChecksum, urlFilename, GetUrlArgs } from './get-url.js';
import type { RunModuleContext } from '../module.js';
import { LocalHost } from '../../transport/local/local-host.js';
import { fakeContext } from '../../../test/support/module-context.js';

const sha = (algo: string, s: string): string => createHash(algo).update(s).digest('hex');
const run = (host: LocalHost, raw: Record<string, unknown>, ctx: Partial<RunModuleContext> = {}) =>
  getUrlModule.run(host, GetUrlArgs.parse(raw), fakeContext(ctx));

const FILES: Record<string, string> = { '/a.txt': 'alpha\n', '/b.txt': 'bravo\n', '/dir/c.txt': 'charlie\n' };
const MTIME = new Date('2024-01-02T03:04:05Z');

describe('get_url', () => {
  let dir = '';
  let host: LocalHost;
  let server: Server;
  let base = '';
  const seen: IncomingMessage[] = [];
  before(async () => {
    server = createServer((req, res) => {
      seen.push(req);
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/secret.txt') {
        if (req.headers.authorization !== `Basic ${Buffer.from('ann:s3cr3t!').toString('base64')}`) {
          res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="lab"' }).end();
          return;
        }
        res.end('secret body\n');
        return;
      }
      if (url.pathname === '/attach') {
        res.writeHead(200, { 'Content-Disposition': 'attachment; filename="named.txt"' }).end('named\n');
        return;
      }
      if (url.pathname === '/SHA256SUMS') {
        res.end(`${sha('sha256', FILES['/a.txt'] ?? '')}  a.txt\n${sha('sha256', 'x')} *b.txt\n`);
        return;
      }
      const body = FILES[url.pathname];
      if (body === undefined) {
        res.writeHead(404).end('nope');
        return;
      }
      // /a.txt honours If-Modified-Since, the others do not (as many dynamic servers).
      const ims = req.headers['if-modified-since'];
      if (url.pathname === '/a.txt' && ims && new Date(ims) >= MTIME) {
        res.writeHead(304).end();
        return;
      }
      res.writeHead(200, { 'Content-Length': Buffer.byteLength(body), 'Last-Modified': MTIME.toUTCString() }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kvmplay-get-url-'));
    host = new LocalHost();
    seen.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('downloads a new file with Ansible\'s result keys, then asks with If-Modified-Since and gets a 304', async () => {
    const dest = join(dir, 'a.txt');
    const r = await run(host, { url: `${base}/a.txt`, dest, mode: '0640' });
    assert.equal(r.changed, true, r.msg);
    assert.equal(r.msg, 'OK (6 bytes)');
    assert.equal(readFileSync(dest, 'utf8'), 'alpha\n');
    assert.equal(statSync(dest).mode & 0o7777, 0o640);
    const d = r.data ?? {};
    assert.deepEqual(
      [d['dest'], d['url'], d['status_code'], d['checksum_src'], d['checksum_dest'], d['md5sum'], d['mode'], d['state'], d['size'], d['owner'], d['uid']],
      [dest, `${base}/a.txt`, 200, sha('sha1', 'alpha\n'), null, sha('md5', 'alpha\n'), '0640', 'file', 6, 'root', 0],
    );
    assert.ok(typeof d['src'] === 'string' && !existsSync(d['src']), 'the temporary file is gone');
    utimesSync(dest, MTIME, MTIME);
    const again = await run(host, { url: `${base}/a.txt`, dest, mode: '0640' });
    assert.deepEqual([again.changed, again.failed, again.msg, again.data?.['status_code']], [false, undefined, 'HTTP Error 304: Not Modified', 304]);
    assert.equal(seen.at(-1)?.headers['if-modified-since'], MTIME.toUTCString());
  });

  it('downloads again when the server ignores If-Modified-Since, and reports ok when the bytes are the same', async () => {
    const dest = join(dir, 'b.txt');
    writeFileSync(dest, 'bravo\n');
    const r = await run(host, { url: `${base}/b.txt`, dest });
    assert.deepEqual([r.changed, r.msg, r.data?.['checksum_dest'], r.data?.['checksum_src']], [false, 'OK (6 bytes)', sha('sha1', 'bravo\n'), sha('sha1', 'bravo\n')]);
    writeFileSync(dest, 'old\n');
    const changed = await run(host, { url: `${base}/b.txt`, dest, backup: true });
    assert.equal(changed.changed, true);
    assert.equal(readFileSync(dest, 'utf8'), 'bravo\n');
    assert.equal(readFileSync(String(changed.data?.['backup_file']), 'utf8'), 'old\n');
  });

  it('sends cache-control: no-cache with force, never If-Modified-Since', async () => {
    const dest = join(dir, 'a.txt');
    writeFileSync(dest, 'alpha\n');
    await run(host, { url: `${base}/a.txt`, dest, force: true });
    assert.equal(seen.at(-1)?.headers['cache-control'], 'no-cache');
    assert.equal(seen.at(-1)?.headers['if-modified-since'], undefined);
    assert.equal(seen.at(-1)?.headers['user-agent'], 'ansible-httpget');
  });

  it('does not download at all when dest matches the checksum, but fixes its attributes', async () => {
    const dest = join(dir, 'a.txt');
    writeFileSync(dest, 'alpha\n', { mode: 0o644 });
    const args = { url: `${base}/a.txt`, dest, checksum: `sha256:${sha('sha256', 'alpha\n').toUpperCase()}` };
    const ok = await run(host, args);
    assert.deepEqual([ok.changed, ok.msg, seen.length], [false, 'file already exists', 0]);
    const attrs = await run(host, { ...args, mode: '0600' });
    assert.deepEqual([attrs.changed, attrs.msg, attrs.data?.['mode'], seen.length], [true, 'file already exists but file attributes changed', '0600', 0]);
    assert.equal(statSync(dest).mode & 0o7777, 0o600);
  });

  it('downloads over a dest whose checksum differs, and removes dest when the download does not match either', async () => {
    const dest = join(dir, 'a.txt');
    writeFileSync(dest, 'stale\n');
    const good = await run(host, { url: `${base}/a.txt`, dest, checksum: `sha1:${sha('sha1', 'alpha\n')}` });
    assert.equal(good.changed, true, good.msg);
    assert.equal(seen.at(-1)?.headers['cache-control'], 'no-cache');
    const bad = await run(host, { url: `${base}/b.txt`, dest, checksum: `md5:${sha('md5', 'nope')}` });
    assert.equal(bad.failed, true);
    assert.equal(bad.msg, `The checksum for ${dest} did not match ${sha('md5', 'nope')}; it was ${sha('md5', 'bravo\n')}.`);
    assert.equal(existsSync(dest), false);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('takes the checksum from a checksum file URL', async () => {
    const dest = join(dir, 'a.txt');
    const r = await run(host, { url: `${base}/a.txt`, dest, checksum: `sha256:${base}/SHA256SUMS` });
    assert.equal(r.changed, true, r.msg);
    const missing = await run(host, { url: `${base}/dir/c.txt`, dest: join(dir, 'c.txt'), checksum: `sha256:${base}/SHA256SUMS` });
    assert.deepEqual([missing.failed, missing.msg], [true, `Unable to find a checksum for file 'c.txt' in '${base}/SHA256SUMS'`]);
  });

  it('names the file in a directory dest by Content-Disposition, else by the URL', async () => {
    const named = await run(host, { url: `${base}/attach`, dest: dir });
    assert.deepEqual([named.changed, named.data?.['dest']], [true, join(dir, 'named.txt')]);
    const byUrl = await run(host, { url: `${base}/dir/c.txt?x=1`, dest: `${dir}/` });
    assert.equal(byUrl.data?.['dest'], join(dir, 'c.txt'));
    assert.equal(readFileSync(join(dir, 'c.txt'), 'utf8'), 'charlie\n');
    // Always downloaded, replaced only when it differs.
    const again = await run(host, { url: `${base}/dir/c.txt?x=1`, dest: dir });
    assert.equal(again.changed, false);
  });

  it('fails as Ansible does on a 404 and on a refused connection', async () => {
    const r = await run(host, { url: `${base}/missing`, dest: join(dir, 'm') });
    assert.deepEqual([r.failed, r.msg, r.data?.['status_code'], r.data?.['response']], [true, 'Request failed', 404, 'HTTP Error 404: Not Found']);
    const refused = await run(host, { url: 'http://127.0.0.1:1/x', dest: join(dir, 'm') });
    assert.equal(refused.failed, true);
    assert.match(refused.msg, /^Request failed: <urlopen error \[Errno 111\] Connection refused>$/);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('authenticates with url_username/url_password, which never appear in a command line', async () => {
    const dest = join(dir, 's');
    const r = await run(host, { url: `${base}/secret.txt`, dest, username: 'ann', password: 's3cr3t!' });
    assert.equal(r.changed, true, r.msg);
    assert.equal(readFileSync(dest, 'utf8'), 'secret body\n');
    assert.equal(seen.length, 2, 'a 401 first, then the credentials');
    const forced = await run(host, { url: `${base}/secret.txt`, dest: join(dir, 't'), url_username: 'ann', url_password: 's3cr3t!', force_basic_auth: true });
    assert.equal(forced.changed, true, forced.msg);
    assert.equal(seen.length, 3, 'sent at once with force_basic_auth');
    assert.equal(host.commands.some((argv) => argv.some((w) => w.includes('s3cr3t'))), false);
    assert.equal(JSON.stringify([r, forced]).includes('s3cr3t'), false);
  });

  it('reads file:// URLs (no HTTP status, as in Ansible)', async () => {
    const src = join(dir, 'src.txt');
    writeFileSync(src, 'local\n');
    const r = await run(host, { url: `file://${src}`, dest: join(dir, 'copy.txt') });
    assert.deepEqual([r.changed, r.msg, r.data?.['status_code']], [true, 'OK (6 bytes)', null]);
  });

  it('checks certificates over https unless validate_certs is false', async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-days', '1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    const tls = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) => res.end('secure\n'));
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    try {
      const url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}/s.txt`;
      const refused = await run(host, { url, dest: join(dir, 's') });
      assert.equal(refused.failed, true);
      assert.match(refused.msg, /CERTIFICATE_VERIFY_FAILED/);
      const r = await run(host, { url, dest: join(dir, 's'), validate_certs: false });
      assert.equal(r.changed, true, r.msg);
      assert.equal(readFileSync(join(dir, 's'), 'utf8'), 'secure\n');
    } finally {
      await new Promise<void>((resolve) => tls.close(() => resolve()));
    }
  });

  it('changes nothing in check mode and only probes', async () => {
    const dest = join(dir, 'a.txt');
    const r = await run(host, { url: `${base}/a.txt`, dest }, { check: true });
    assert.deepEqual([r.changed, r.msg], [true, `would download ${base}/a.txt to ${dest}`]);
    assert.deepEqual(readdirSync(dir), []);
    assert.equal(seen.length, 0);
    assert.deepEqual(host.commands.map((argv) => argv.at(-1)), ['probe']);
  });

  it('puts the download through tmp_dest, which must be a directory', async () => {
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp);
    const r = await run(host, { url: `${base}/a.txt`, dest: join(dir, 'a'), tmp_dest: tmp });
    assert.equal(r.changed, true, r.msg);
    assert.ok(String(r.data?.['src']).startsWith(`${tmp}/`));
    assert.deepEqual(readdirSync(tmp), []);
    const bad = await run(host, { url: `${base}/a.txt`, dest: join(dir, 'b'), tmp_dest: join(dir, 'none') });
    assert.deepEqual([bad.failed, bad.msg], [true, `${join(dir, 'none')} directory does not exist.`]);
  });

  it('refuses what it does not do by name, and URLs it cannot fetch', () => {
    const issues = (raw: Record<string, unknown>): string => GetUrlArgs.safeParse(raw).error?.issues.map((i) => i.message).join('\n') ?? '';
    assert.match(issues({ url: 'http://x/a', dest: '/a', use_gssapi: true }), /"use_gssapi" is not supported by kvmplay/);
    assert.match(issues({ url: 'http://x/a', dest: '/a', setype: 'x' }), /"setype" is not supported by kvmplay \(SELinux/);
    assert.match(issues({ url: 'gopher://x/a', dest: '/a' }), /must be an http, https, ftp or file URL/);
    assert.equal(GetUrlArgs.parse({ url: 'http://x/a', dest: '/a', thirsty: 'yes' }).force, true);
  });
});

describe('get_url checksums', () => {
  it('reads checksum files as Ansible does', () => {
    assert.equal(checksumFromFile('abc\n', 'f.tgz'), 'abc');
    assert.equal(checksumFromFile('abc  f.tgz\r\ndef *g.tgz\n', 'g.tgz'), 'def');
    assert.equal(checksumFromFile('abc  ./f.tgz\n', 'f.tgz'), 'abc');
    assert.equal(checksumFromFile('abc  f.tgz\n', 'g.tgz'), null);
  });

  it('resolves the checksum argument or says why not', () => {
    const a = { url: 'http://h/p/f.tgz', dest: '/d' };
    assert.deepEqual(resolveChecksum({ ...a, checksum: 'sha256:AB\u200bCD' }, undefined), { algo: 'sha256', hex: 'abcd' });
    assert.deepEqual(resolveChecksum({ ...a, checksum: 'sha256' }, undefined), { fail: 'The checksum parameter has to be in format <algorithm>:<checksum>' });
    assert.deepEqual(resolveChecksum({ ...a, checksum: 'sha256:xyz' }, undefined), { fail: 'The checksum format is invalid' });
    assert.match((resolveChecksum({ ...a, checksum: 'crc9:ab' }, undefined) as { fail: string }).fail, /^Could not hash file '\/d' with algorithm 'crc9'/);
    assert.deepEqual(resolveChecksum({ ...a, checksum: 'sha1:http://h/SUMS' }, { status: 200, msg: 'OK', elapsed: 0, text: 'ff  f.tgz\n' }), { algo: 'sha1', hex: 'ff' });
    assert.equal(resolveChecksum({ ...a, checksum: '' }, undefined), null);
  });

  it('names a URL\'s file as url_filename does', () => {
    assert.equal(urlFilename('http://h/a/b.tar.gz?x=1'), 'b.tar.gz');
    assert.equal(urlFilename('http://h/'), 'index.html');
    assert.equal(urlFilename('file:///tmp/x'), 'x');
  });
});
