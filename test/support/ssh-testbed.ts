// What the SSH transport's end-to-end tests share: the lab brought up once per file,
// SshHost objects for lab hosts with the lab's key and known_hosts (closed after each
// test), a scratch folder, and the `kvp` user's sudo password.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionSpec } from '../../src/transport/connection-spec.js';
import { SshHost, type SshHostOptions } from '../../src/transport/ssh/ssh-host.js';
import { ensureLab } from './lab-fixture.js';

export type Lab = Awaited<ReturnType<typeof ensureLab>>;

export interface SshTestbed {
  readonly lab: Lab;
  readonly scratch: string;
  readonly becomePassword: string;
  addressOf(name: string): string;
  /** The lab's connection settings for a host, with `over` on top. */
  specFor(name: string, over?: Partial<ConnectionSpec>): ConnectionSpec;
  /** An SshHost closed after the test. */
  hostFor(name: string, over?: Partial<ConnectionSpec>, opts?: Partial<SshHostOptions>): SshHost;
  /** Close this host after the test too (one made from other settings). */
  track(host: SshHost): SshHost;
  /** `type blob` of the lab's known_hosts line for a host. */
  labKeyOf(name: string): string;
  /** A file in the scratch folder. */
  scratchFile(name: string, text: string, mode?: number): string;
}

/** Registers the hooks of the describe block it is called in. */
export function useSshTestbed(scratchPrefix: string): SshTestbed {
  let lab: Lab | undefined;
  let scratch = '';
  let becomePassword = '';
  const open: SshHost[] = [];
  const theLab = (): Lab => {
    assert.ok(lab, 'the lab is up (before hook)');
    return lab;
  };

  before(async function () {
    this.timeout(900_000);
    lab = await ensureLab();
    scratch = mkdtempSync(join(tmpdir(), scratchPrefix));
    becomePassword = readFileSync(join(lab.labDir, 'become-password'), 'utf8').trim();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((h) => h.close()));
  });
  after(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const bed: SshTestbed = {
    get lab() { return theLab(); },
    get scratch() { return scratch; },
    get becomePassword() { return becomePassword; },
    addressOf(name) {
      const h = theLab().hosts.find((x) => x.name === name);
      assert.ok(h, `lab host ${name} exists`);
      return h.address;
    },
    specFor(name, over = {}) {
      const dir = theLab().labDir;
      return {
        name,
        host: bed.addressOf(name),
        port: 22,
        user: 'root',
        identityFiles: [join(dir, 'id_ed25519')],
        jump: [],
        become: false,
        becomeUser: 'root',
        knownHosts: [join(dir, 'known_hosts')],
        connectTimeout: 5,
        ...over,
      };
    },
    hostFor(name, over = {}, opts = {}) {
      const h = new SshHost(bed.specFor(name, over), { acceptNewHostKeys: false, agentSocket: '', ...opts });
      open.push(h);
      return h;
    },
    track(host) {
      open.push(host);
      return host;
    },
    labKeyOf(name) {
      const line = readFileSync(join(theLab().labDir, 'known_hosts'), 'utf8').split('\n').find((l) => l.split(' ')[0]?.split(',').includes(name));
      assert.ok(line, `lab known_hosts has ${name}`);
      return line.split(' ').slice(1, 3).join(' ');
    },
    scratchFile(name, text, mode) {
      const path = join(scratch, name);
      writeFileSync(path, text, mode === undefined ? {} : { mode });
      return path;
    },
  };
  return bed;
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof Error);
    return err;
  }
  assert.fail('expected a rejection');
}
