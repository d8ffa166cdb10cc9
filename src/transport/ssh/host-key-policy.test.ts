import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeNoCommonKeyType, lookupNames, prepareHostKeyCheck } from './host-key-policy.js';
import { parseKnownHosts } from './known-hosts.js';

const ED_A = 'AAAAC3NzaC1lZDI1NTE5AAAAIJxBgZkZhmh2Zfx5Mno1PhlQfRN0XAyhBGA6G32t0+7T';
const ED_B = 'AAAAC3NzaC1lZDI1NTE5AAAAIEIOGUdZiDmBmzgPgu62QEk7aNgYf8UyOAxZq+hhRFu8';
const blob = (b64: string) => Buffer.from(b64, 'base64');

describe('host key policy', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kvmplay-kh-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('looks a host up by address and by inventory name, port form included', () => {
    assert.deepEqual(lookupNames({ host: '10.0.0.5', port: 22, alias: 'hv01' }), ['10.0.0.5', 'hv01']);
    assert.deepEqual(lookupNames({ host: '10.0.0.5', port: 2222, alias: '10.0.0.5' }), ['[10.0.0.5]:2222']);
  });

  it('accepts a known key and offers only its type', async () => {
    const file = join(dir, 'kh');
    writeFileSync(file, `hv01 ssh-ed25519 ${ED_A}\n`);
    const check = await prepareHostKeyCheck({ files: [file], acceptNew: false }, { host: '10.0.0.5', port: 22, alias: 'hv01' });
    assert.deepEqual(check.algorithms, ['ssh-ed25519']);
    assert.deepEqual(await check.decide(blob(ED_A)), { ok: true, recorded: false });
  });

  it('refuses an unknown key unless told to accept new keys', async () => {
    const file = join(dir, 'kh');
    const check = await prepareHostKeyCheck({ files: [file], acceptNew: false }, { host: 'h', port: 22 });
    const d = await check.decide(blob(ED_A));
    assert.equal(d.ok, false);
    assert.match(d.ok ? '' : d.reason, /host key not in known_hosts \(.*kh\); run with --accept-new-host-keys to record it \(server key ssh-ed25519 SHA256:/);
  });

  it('records a first-seen key once, in a new private file, however many connections race', async () => {
    const file = join(dir, 'sub', 'kh');
    const decisions = await Promise.all(Array.from({ length: 20 }, async () => {
      const check = await prepareHostKeyCheck({ files: [file], acceptNew: true }, { host: '10.0.0.9', port: 2222 });
      return check.decide(blob(ED_A));
    }));
    assert.ok(decisions.every((d) => d.ok));
    assert.equal(decisions.filter((d) => d.ok && d.recorded).length, 1);
    assert.equal(readFileSync(file, 'utf8'), `[10.0.0.9]:2222 ssh-ed25519 ${ED_A}\n`);
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  it('appends after a last line that lacks its newline', async () => {
    const file = join(dir, 'kh');
    writeFileSync(file, `other ssh-ed25519 ${ED_B}`);
    const check = await prepareHostKeyCheck({ files: [file], acceptNew: true }, { host: 'new', port: 22 });
    assert.deepEqual(await check.decide(blob(ED_A)), { ok: true, recorded: true });
    assert.equal(readFileSync(file, 'utf8'), `other ssh-ed25519 ${ED_B}\nnew ssh-ed25519 ${ED_A}\n`);
  });

  it('never records over a changed key, even when accepting new keys', async () => {
    const file = join(dir, 'kh');
    writeFileSync(file, `h ssh-ed25519 ${ED_B}\n`);
    const check = await prepareHostKeyCheck({ files: [file], acceptNew: true }, { host: 'h', port: 22 });
    const d = await check.decide(blob(ED_A));
    assert.equal(d.ok, false);
    assert.match(d.ok ? '' : d.reason, /host key CHANGED .* possible man-in-the-middle; refusing \(remove the old entry .*kh:1 to accept\)/);
    assert.equal(readFileSync(file, 'utf8'), `h ssh-ed25519 ${ED_B}\n`);
  });

  it('finds keys in every file given, records only in the first', async () => {
    const first = join(dir, 'a');
    const second = join(dir, 'b');
    writeFileSync(second, `h ssh-ed25519 ${ED_A}\n`);
    const check = await prepareHostKeyCheck({ files: [first, second], acceptNew: true }, { host: 'h', port: 22 });
    assert.deepEqual(await check.decide(blob(ED_A)), { ok: true, recorded: false });
  });

  it('looks a host up and records its key under its HostKeyAlias alone, without [host]:port', async () => {
    assert.deepEqual(lookupNames({ host: '10.0.0.5', port: 2222, alias: 'hv01', hostKeyAlias: 'hv-key' }), ['hv-key']);
    const file = join(dir, 'kh');
    // The address's own entry holds another key: with an alias, ssh never looks at it.
    writeFileSync(file, `[10.0.0.5]:2222 ssh-ed25519 ${ED_B}\nhv-key ssh-ed25519 ${ED_A}\n`);
    const known = await prepareHostKeyCheck({ files: [file], acceptNew: false }, { host: '10.0.0.5', port: 2222, hostKeyAlias: 'hv-key' });
    assert.deepEqual(await known.decide(blob(ED_A)), { ok: true, recorded: false });

    const fresh = join(dir, 'fresh');
    const record = await prepareHostKeyCheck({ files: [fresh], acceptNew: true }, { host: '10.0.0.5', port: 2222, alias: 'hv01', hostKeyAlias: 'new-alias' });
    assert.deepEqual(await record.decide(blob(ED_A)), { ok: true, recorded: true });
    assert.equal(readFileSync(fresh, 'utf8'), `new-alias ssh-ed25519 ${ED_A}\n`);
  });

  it('records a HostKeyAlias hashed when asked, and names the alias when it refuses', async () => {
    const file = join(dir, 'kh');
    const record = await prepareHostKeyCheck({ files: [file], acceptNew: true, hash: true }, { host: '10.0.0.5', port: 22, hostKeyAlias: 'hv-key' });
    assert.deepEqual(await record.decide(blob(ED_A)), { ok: true, recorded: true });
    const [entry] = parseKnownHosts(readFileSync(file, 'utf8'), file);
    assert.ok(entry?.hosts.startsWith('|1|'));
    const again = await prepareHostKeyCheck({ files: [file], acceptNew: false }, { host: 'elsewhere', port: 2200, hostKeyAlias: 'hv-key' });
    assert.deepEqual(await again.decide(blob(ED_A)), { ok: true, recorded: false }, 'the hashed alias is found whatever the address');
    const d = await again.decide(blob(ED_B));
    assert.equal(d.ok, false);
    assert.match(d.ok ? '' : d.reason, /host key CHANGED .*\(looked up as HostKeyAlias "hv-key"\)$/);
  });

  it('words a failed negotiation against recorded key types as a possible change', () => {
    const msg = describeNoCommonKeyType(parseKnownHosts('h ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAAQC7\n', '/k'));
    assert.match(msg, /server offers none of the key types recorded in known_hosts \(ssh-rsa at \/k:1\).*remove the old entry \/k:1/);
  });
});
