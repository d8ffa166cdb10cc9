import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyModule } from './copy.js';
import { templateModule, templateBytes, TemplateArgs } from './template.js';
import { walkLocal } from './copy-tree.js';
import type { RunModuleContext } from '../module.js';
import { LocalHost } from '../../transport/local/local-host.js';
import { compileJinja } from '../../jinja/index.js';
import { fakeContext } from '../../../test/support/module-context.js';
import { sha1 } from '../../util/text.js';
import { decryptVaultFile, isVaultFile, resetVault, setVaultSecrets } from '../../vault/index.js';
import { repoRoot } from '../../../test/support/cli.js';

/** A context whose local files live in `local` (readLocalFile, localPath and Jinja templates as the engine renders them). */
function localContext(local: string, over: Partial<RunModuleContext> = {}): RunModuleContext {
  const find = async (src: string): Promise<string> => {
    const p = src.startsWith('/') ? src : join(local, src);
    await stat(p);
    return p.replace(/\/+$/, '');
  };
  return fakeContext({
    // As exec/local-source.ts reads it: a vault-encrypted file decrypted unless decrypt: false.
    readLocalFile: async (src, o = {}) => {
      const path = await find(src);
      const content = await readFile(path);
      return o.decrypt !== false && isVaultFile(content) ? { path, content: decryptVaultFile(content), vaulted: true } : { path, content };
    },
    localPath: find,
    renderTemplateFile: async (src, opts = {}) => {
      const path = await find(src);
      // The template module's settings (playbook/template-file.ts), with the task's overrides.
      const t = compileJinja(await readFile(path, 'utf8'), { trimBlocks: true, lstripBlocks: false, keepTrailingNewline: true, ...opts.jinja });
      return { path, content: t.render({ name: 'kvm', items: ['a', 'b'] }) };
    },
    ...over,
  });
}

describe('copy: folders, remote_src, checksum, decrypt', () => {
  let dir = '';
  let local = '';
  let host: LocalHost;
  const copy = (raw: Record<string, unknown>, over: Partial<RunModuleContext> = {}) => copyModule.run(host, copyModule.args.parse(raw), localContext(local, over));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kvmplay-copy-dest-'));
    local = mkdtempSync(join(tmpdir(), 'kvmplay-copy-src-'));
    mkdirSync(join(local, 'app', 'conf', 'empty'), { recursive: true });
    writeFileSync(join(local, 'app', 'run.sh'), '#!/bin/sh\n');
    chmodSync(join(local, 'app', 'run.sh'), 0o755);
    writeFileSync(join(local, 'app', 'conf', 'a.conf'), 'a=1\n');
    symlinkSync('a.conf', join(local, 'app', 'conf', 'link.conf'));
    symlinkSync('/nonexistent', join(local, 'app', 'broken'));
    host = new LocalHost();
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(local, { recursive: true, force: true });
  });

  it('walks a local folder as Ansible does: dir/ copies its content, links followed unless local_follow is false', async () => {
    const t = await walkLocal(`${join(local, 'app')}/`, true);
    assert.deepEqual(t.files.map((f) => f.rel).sort(), ['conf/a.conf', 'conf/link.conf', 'run.sh']);
    assert.deepEqual(t.dirs.sort(), ['conf', 'conf/empty']);
    assert.deepEqual(t.links, [{ rel: 'broken', target: '/nonexistent' }]);
    const noFollow = await walkLocal(join(local, 'app'), false);
    assert.deepEqual(noFollow.links.map((l) => l.rel).sort(), ['app/broken', 'app/conf/link.conf']);
  });

  it('copies a folder into dest under its name, with directory_mode, then changes nothing', async () => {
    const args = { src: 'app', dest: join(dir, 'new'), directory_mode: '0750', mode: 'preserve' };
    const r = await copy(args);
    assert.equal(r.changed, true, r.msg);
    assert.equal(readFileSync(join(dir, 'new', 'app', 'conf', 'a.conf'), 'utf8'), 'a=1\n');
    assert.equal(readFileSync(join(dir, 'new', 'app', 'conf', 'link.conf'), 'utf8'), 'a=1\n');
    assert.equal(readlinkSync(join(dir, 'new', 'app', 'broken')), '/nonexistent');
    assert.equal(statSync(join(dir, 'new', 'app', 'run.sh')).mode & 0o7777, 0o755);
    assert.equal(statSync(join(dir, 'new', 'app', 'conf', 'empty')).mode & 0o7777, 0o750);
    assert.equal(statSync(join(dir, 'new')).mode & 0o7777, 0o750);
    assert.deepEqual([r.data?.['dest'], r.data?.['src']], [`${join(dir, 'new')}/`, join(local, 'app')]);
    const again = await copy(args);
    assert.equal(again.changed, false, again.msg);
  });

  it('copies only what is inside with a trailing slash, and recreates links with local_follow: false', async () => {
    const r = await copy({ src: 'app/', dest: dir, local_follow: false });
    assert.equal(r.changed, true, r.msg);
    assert.ok(existsSync(join(dir, 'run.sh')));
    assert.equal(lstatSync(join(dir, 'conf', 'link.conf')).isSymbolicLink(), true);
    assert.equal((await copy({ src: 'app/', dest: dir, local_follow: false })).changed, false);
  });

  it('makes a missing dest folder written with a trailing slash, with directory_mode and owner', async () => {
    writeFileSync(join(local, 'one.txt'), 'one\n');
    const r = await copy({ src: 'one.txt', dest: `${join(dir, 'a', 'b')}/`, directory_mode: '0700', owner: 'nobody' });
    assert.equal(r.changed, true, r.msg);
    assert.equal(readFileSync(join(dir, 'a', 'b', 'one.txt'), 'utf8'), 'one\n');
    assert.deepEqual([statSync(join(dir, 'a')).mode & 0o7777, statSync(join(dir, 'a', 'b')).uid], [0o700, 65534]);
  });

  it('copies a file already on the host with remote_src, keeping it where it is', async () => {
    const src = join(dir, 'src.txt');
    writeFileSync(src, 'remote\n');
    const dest = join(dir, 'dest.txt');
    const r = await copy({ src, dest, remote_src: true, mode: '0600' });
    assert.equal(r.changed, true, r.msg);
    assert.equal(readFileSync(dest, 'utf8'), 'remote\n');
    assert.deepEqual([r.data?.['checksum'], r.data?.['mode'], r.data?.['dest']], [sha1('remote\n'), '0600', dest]);
    assert.equal(readFileSync(src, 'utf8'), 'remote\n');
    assert.equal((await copy({ src, dest, remote_src: true, mode: '0600' })).changed, false);
    const missing = await copy({ src: join(dir, 'none'), dest, remote_src: true });
    assert.deepEqual([missing.failed, missing.msg], [true, `Source ${join(dir, 'none')} not found`]);
  });

  it('copies a folder already on the host with remote_src', async () => {
    const src = join(dir, 'tree');
    mkdirSync(join(src, 'sub'), { recursive: true });
    writeFileSync(join(src, 'sub', 'f'), 'f\n');
    const r = await copy({ src, dest: join(dir, 'out'), remote_src: true });
    assert.equal(r.changed, true, r.msg);
    assert.equal(readFileSync(join(dir, 'out', 'tree', 'sub', 'f'), 'utf8'), 'f\n');
    assert.equal((await copy({ src, dest: join(dir, 'out'), remote_src: true })).changed, false);
    const inside = await copy({ src: `${src}/`, dest: join(dir, 'flat'), remote_src: true });
    assert.equal(inside.changed, true);
    assert.ok(existsSync(join(dir, 'flat', 'sub', 'f')));
  });

  it('checks the checksum only when it sends the file', async () => {
    const dest = join(dir, 'x');
    const bad = await copy({ content: 'abc', dest, checksum: 'f'.repeat(40) });
    assert.deepEqual([bad.failed, bad.msg, bad.data?.['checksum']], [true, 'Copied file does not match the expected checksum. Transfer failed.', sha1('abc')]);
    assert.equal(existsSync(dest), false);
    assert.equal((await copy({ content: 'abc', dest, checksum: sha1('abc') })).changed, true);
  });

  describe('a vault-encrypted src', () => {
    const secretFile = readFileSync(join(repoRoot, 'test/fixtures/vault/files-play/files/secret.txt'));
    const PLAIN = 'api-key=Copied-File-Secret-12\nsecond=Copied-Line-Two\n';
    beforeEach(() => writeFileSync(join(local, 'secret.txt'), secretFile));
    afterEach(resetVault);

    it('is sent decrypted, its diff withheld; decrypt: false sends it as it is', async () => {
      setVaultSecrets([{ id: 'default', password: Buffer.from('fixture-pass-one'), source: 'test' }]);
      const r = await copy({ src: 'secret.txt', dest: join(dir, 's') }, { diff: true });
      assert.equal(r.changed, true, r.msg);
      assert.equal(readFileSync(join(dir, 's'), 'utf8'), PLAIN);
      assert.match(r.diff ?? '', /diff withheld: the new content of \S+ comes from a vault-encrypted file/);
      assert.ok(!(r.diff ?? '').includes('Copied'), r.diff);
      assert.equal((await copy({ src: 'secret.txt', dest: join(dir, 's'), decrypt: false })).changed, true);
      assert.deepEqual(readFileSync(join(dir, 's')), secretFile);
    });

    it('in a copied folder is decrypted too', async () => {
      setVaultSecrets([{ id: 'default', password: Buffer.from('fixture-pass-one'), source: 'test' }]);
      mkdirSync(join(local, 'tree'));
      writeFileSync(join(local, 'tree', 'secret.txt'), secretFile);
      const r = await copy({ src: 'tree', dest: `${dir}/` }, { diff: true });
      assert.equal(r.changed, true, r.msg);
      assert.equal(readFileSync(join(dir, 'tree', 'secret.txt'), 'utf8'), PLAIN);
      assert.ok(!(r.diff ?? '').includes('Copied'), r.diff);
    });

    it('fails the task when no vault password opens it', async () => {
      const r = await copy({ src: 'secret.txt', dest: join(dir, 's') });
      assert.equal(r.failed, true);
      assert.match(r.msg, /^cannot read src secret\.txt: vault-encrypted, and no vault password was given/);
      assert.equal(existsSync(join(dir, 's')), false);
    });
  });
});

describe('template: Jinja settings, newlines, encoding', () => {
  let dir = '';
  let local = '';
  let host: LocalHost;
  const template = (raw: Record<string, unknown>) => templateModule.run(host, templateModule.args.parse(raw), localContext(local));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kvmplay-tpl-dest-'));
    local = mkdtempSync(join(tmpdir(), 'kvmplay-tpl-src-'));
    writeFileSync(join(local, 'list.j2'), '{% for i in items %}\n  {% if i %}\n{{ i }}\n  {% endif %}\n{% endfor %}\n');
    writeFileSync(join(local, 'name.j2'), 'name={{ name }}\nnaïve\n');
    host = new LocalHost();
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(local, { recursive: true, force: true });
  });

  // Expected: Jinja2 with Ansible's trailing newlines (what ansible-core 2.14 writes).
  it('takes trim_blocks and lstrip_blocks from the task', async () => {
    await template({ src: 'list.j2', dest: join(dir, 'a') });
    assert.equal(readFileSync(join(dir, 'a'), 'utf8'), '  a\n    b\n  \n');
    await template({ src: 'list.j2', dest: join(dir, 'b'), lstrip_blocks: true });
    assert.equal(readFileSync(join(dir, 'b'), 'utf8'), 'a\nb\n');
    await template({ src: 'list.j2', dest: join(dir, 'c'), trim_blocks: false, lstrip_blocks: true });
    assert.equal(readFileSync(join(dir, 'c'), 'utf8'), '\n\na\n\n\n\nb\n\n');
  });

  it('writes the newline sequence and the encoding asked for', async () => {
    const r = await template({ src: 'name.j2', dest: join(dir, 'n'), newline_sequence: '\\r\\n', output_encoding: 'latin-1' });
    assert.equal(r.changed, true, r.msg);
    assert.deepEqual(readFileSync(join(dir, 'n')), Buffer.from('name=kvm\r\nna\xefve\r\n', 'latin1'));
    assert.equal(templateBytes('x\ny', { newline_sequence: '\r', output_encoding: 'utf-8' }).toString(), 'x\ry');
    assert.throws(() => templateBytes('é', { newline_sequence: '\n', output_encoding: 'ascii' }), /'ascii' codec can't encode character/);
  });

  it('writes into a directory dest under the template\'s name, with the template\'s mode for preserve', async () => {
    chmodSync(join(local, 'name.j2'), 0o640);
    const r = await template({ src: 'name.j2', dest: dir, mode: 'preserve' });
    assert.equal(r.changed, true, r.msg);
    assert.equal(statSync(join(dir, 'name.j2')).mode & 0o7777, 0o640);
  });

  it('refuses other Jinja delimiters and unknown encodings by name', () => {
    const issues = (raw: Record<string, unknown>): string => TemplateArgs.safeParse({ src: 'a', dest: '/b', ...raw }).error?.issues.map((i) => i.message).join('\n') ?? '';
    assert.match(issues({ block_start_string: '[%' }), /"block_start_string" other than "\{%" is not supported by kvmplay/);
    assert.equal(issues({ variable_start_string: '{{' }), '');
    assert.match(issues({ output_encoding: 'utf-16' }), /output_encoding "utf-16" is not supported by kvmplay/);
    assert.match(issues({ newline_sequence: 'x' }), /newline_sequence needs to be one of/);
  });
});
