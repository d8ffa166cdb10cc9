import assert from 'node:assert/strict';
import { fakeContext } from '../../../../test/support/module-context.js';
import { loadProbeCases, RecordedHost, runsScript } from '../../../../test/support/recorded-host.js';
import { UserArgs } from './user-args.js';
import { expiryDate, looksUnhashed, NOT_LOGGING_PASSWORD, planUser, type UserChange } from './user-plan.js';
import { parseUserProbe, USER_PROBE_SCRIPT, type UserHostState } from './user-probe.js';
import { ACCOUNT_SCRIPT, SSH_KEY_SCRIPT, userModule } from './user.js';

const HASH = '$6$saltsalt$eFh4hZIYf1yGIubxmSuH4DVoucFU3fYqjOLn.Vtqu19jgwrxnUY4zThpMPoFZGE.YO7Fvy3nJqKSpqUQK7tt0.';
const OTHER_HASH = '$6$othersal$eFh4hZIYf1yGIubxmSuH4DVoucFU3fYqjOLn.Vtqu19jgwrxnUY4zThpMPoFZGE.YO7Fvy3nJqKSpqUQK7tt0.';

const args = (a: Record<string, unknown>): UserArgs => UserArgs.parse(a);

const groups = [
  { name: 'alice', gid: 1001, members: [] },
  { name: 'staff', gid: 50, members: [] },
  { name: 'dev', gid: 3001, members: ['alice'] },
  { name: 'ops', gid: 3002, members: [] },
];

function state(over: Partial<UserHostState> = {}): UserHostState {
  return {
    user: { name: 'alice', passwordField: 'x', uid: 1001, gid: 1001, comment: 'Alice', home: '/home/alice', shell: '/bin/bash' },
    shadow: { password: HASH, min: 0, max: 99999, expire: -1 },
    groups,
    hostname: 'h1',
    loginUmask: 0o22,
    homeBase: '/home',
    homeExists: true,
    homeParentIsDir: true,
    curHomeExists: true,
    ssh: null,
    ...over,
  };
}

const fresh = (over: Partial<UserHostState> = {}): UserHostState => state({ user: null, shadow: null, homeExists: false, curHomeExists: false, groups: groups.filter((g) => g.name !== 'alice'), ...over });

/** The plan's steps, as `kind argv…` lines (the read-back included). */
function steps(a: Record<string, unknown>, s: UserHostState): string[] {
  return planUser(args(a), s).changes.map((c: UserChange) => {
    switch (c.kind) {
      case 'useradd': return [c.kind, ...c.argv, ...(c.password !== null ? [`pw=${c.password === HASH ? 'HASH' : c.password === `!${HASH}` ? '!HASH' : c.password}`] : []), ...(c.error ? [`error=${c.error}`] : []), ...(c.build ? [`build=${c.build.home}:${c.build.mode}`] : [])].join(' ');
      case 'usermod': return [c.kind, ...c.argv, ...(c.password !== null ? [`pw=${c.password === HASH ? 'HASH' : c.password === `!${HASH}` ? '!HASH' : 'OTHER'}`] : [])].join(' ');
      case 'userdel': case 'chage': return c.argv.join(' ');
      case 'mkhome': return `mkhome ${c.build.home} ${c.build.skeleton} ${c.build.mode}`;
      case 'sshkey': return `sshkey ${c.path} ${c.type} ${c.comment}${c.force ? ' force' : ''}`;
      case 'readback': return 'readback';
    }
  });
}

describe('user planning', () => {
  const table: Array<[string, Record<string, unknown>, UserHostState, string[]]> = [
    ['creates an account with useradd, the hash going through chpasswd, then reads it back',
      { name: 'alice', uid: 3811, group: 'staff', groups: ['dev'], comment: 'Alice', home: '/srv/alice', shell: '/bin/bash', password: HASH }, fresh(),
      ['useradd useradd -u 3811 -g staff -G dev -c Alice -d /srv/alice -s /bin/bash -m alice pw=HASH', 'readback']],
    ['adds -N when a group is named as the new account', { name: 'alice' }, fresh({ groups }), ['useradd useradd -N -m alice', 'readback']],
    ['makes a system account without a home', { name: 'alice', system: true, create_home: false }, fresh(), ['useradd useradd -M -r alice', 'readback']],
    ['locks a new account through its hash', { name: 'alice', password: HASH, password_lock: true }, fresh(), ['useradd useradd -m alice pw=!HASH', 'readback']],
    ['builds the home by hand when its parent is missing (useradd cannot make parents)', { name: 'alice', home: '/srv/x/alice' }, fresh({ homeParentIsDir: false }),
      ['useradd useradd -d /srv/x/alice -m alice build=/srv/x/alice:0755', 'readback']],
    ['keeps a missing group for the run: check mode says changed, as user.py exits before it looks', { name: 'alice', groups: 'dev,nope' }, fresh(),
      ['useradd error=Group nope does not exist', 'readback']],
    ['passes skeleton, umask, expiry and a non-unique uid to useradd', { name: 'alice', uid: 0, non_unique: true, skeleton: '/etc/skel2', umask: '077', expires: 1893456000 }, fresh(),
      ['useradd useradd -u 0 -o -e 2030-01-01 -m -k /etc/skel2 -K UMASK=077 alice', 'readback']],
    ['changes nothing when the account is as asked', { name: 'alice', uid: 1001, comment: 'Alice', shell: '/bin/bash', password: HASH, groups: ['dev'] }, state(), []],
    ['modifies what differs with usermod', { name: 'alice', uid: 1002, comment: 'A.', shell: '/bin/sh', group: 'staff' }, state(),
      ['usermod usermod -u 1002 -g 50 -c A. -s /bin/sh alice', 'readback']],
    ['replaces the supplementary groups', { name: 'alice', groups: ['ops'] }, state(), ['usermod usermod -G ops alice', 'readback']],
    ['appends a group the account lacks', { name: 'alice', groups: ['ops'], append: true }, state(), ['usermod usermod -a -G ops alice', 'readback']],
    ['does not append a group the account has', { name: 'alice', groups: 'dev', append: true }, state(), []],
    ['empties the supplementary groups with groups: ""', { name: 'alice', groups: '' }, state(), ['usermod usermod -G  alice', 'readback']],
    ['sets a new hash without usermod', { name: 'alice', password: OTHER_HASH }, state(), ['usermod pw=OTHER', 'readback']],
    ['leaves the hash alone with update_password: on_create', { name: 'alice', password: OTHER_HASH, update_password: 'on_create' }, state(), []],
    ['locks an unlocked password', { name: 'alice', password: HASH, password_lock: true }, state(), ['usermod usermod -L alice', 'readback']],
    ['unlocks a locked one', { name: 'alice', password_lock: false }, state({ shadow: { password: `!${HASH}`, min: 0, max: 99999, expire: -1 } }), ['usermod usermod -U alice', 'readback']],
    ['sets a new hash locked, without -L', { name: 'alice', password: OTHER_HASH, password_lock: true }, state(), ['usermod pw=OTHER', 'readback']],
    ['sets an expiry date (UTC)', { name: 'alice', expires: 1893456000 }, state(), ['usermod usermod -e 2030-01-01 alice', 'readback']],
    ['keeps an expiry on the same day', { name: 'alice', expires: 1893456000 + 3600 }, state({ shadow: { password: HASH, min: 0, max: 99999, expire: 21915 } }), []],
    ['removes an expiry with a negative value', { name: 'alice', expires: -1 }, state({ shadow: { password: HASH, min: 0, max: 99999, expire: 21915 } }), ['usermod usermod -e  alice', 'readback']],
    ['moves the home', { name: 'alice', home: '/srv/alice', move_home: true }, state({ homeExists: false }), ['usermod usermod -d /srv/alice -m alice', 'readback']],
    ['makes a missing home (create_home defaults to true)', { name: 'alice' }, state({ homeExists: false }), ['mkhome /home/alice /etc/skel 0755', 'readback']],
    ['leaves a missing home alone with create_home: false', { name: 'alice', create_home: false }, state({ homeExists: false }), []],
    ['changes the password ageing that differs', { name: 'alice', password_expire_max: 90, password_expire_min: 0 }, state(), ['chage -M 90 alice', 'readback']],
    ['removes an account with userdel', { name: 'alice', state: 'absent', remove: true, force: true }, state(), ['userdel -f -r alice']],
    ['does nothing to remove a missing account', { name: 'alice', state: 'absent' }, fresh(), []],
  ];
  for (const [title, a, s, expected] of table) it(title, () => assert.deepEqual(steps(a, s), expected));

  it('generates an ssh key when the key files are missing, names the host in the default comment', () => {
    const ssh = { path: '/home/alice/.ssh/id_rsa', dirExists: true, keyExists: false, pubExists: false, fingerprint: '', publicKey: null };
    assert.deepEqual(steps({ name: 'alice', generate_ssh_key: true }, state({ ssh })), ['sshkey /home/alice/.ssh/id_rsa rsa ansible-generated on h1', 'readback']);
  });

  it('skips an existing key with a warning, and overwrites it with force', () => {
    const ssh = { path: '/home/alice/.ssh/id_rsa', dirExists: true, keyExists: true, pubExists: true, fingerprint: '2048 SHA256:x c (RSA)', publicKey: 'ssh-rsa AAA c' };
    const kept = planUser(args({ name: 'alice', generate_ssh_key: true }), state({ ssh }));
    assert.deepEqual(kept.changes, []);
    assert.match(kept.warnings.join('\n'), /Found existing ssh key private file "\/home\/alice\/.ssh\/id_rsa", no force/);
    assert.equal(kept.data['ssh_fingerprint'], '2048 SHA256:x c (RSA)');
    assert.equal(kept.data['ssh_public_key'], 'ssh-rsa AAA c');
    const forced = planUser(args({ name: 'alice', generate_ssh_key: true, force: true }), state({ ssh }));
    assert.deepEqual(forced.changes.map((c) => c.kind), ['sshkey', 'readback']);
    assert.match(forced.warnings.join('\n'), /Overwriting existing ssh key private file/);
  });

  it("fails on a missing group for an existing account (user.py looks in check mode too)", () => {
    assert.throws(() => planUser(args({ name: 'alice', groups: ['nope'] }), state()), /Group nope does not exist/);
  });

  it('registers what Ansible registers: the password masked, groups as given, the account as it is', () => {
    const p = planUser(args({ name: 'alice', password: HASH, groups: 'dev, ops', append: true }), state());
    assert.deepEqual(p.data, {
      name: 'alice', state: 'present', append: true, move_home: false, password: NOT_LOGGING_PASSWORD,
      uid: 1001, group: 1001, comment: 'Alice', home: '/home/alice', shell: '/bin/bash', groups: 'dev, ops',
    });
    // A new account in check mode: only `changed` (user.py's early exit).
    assert.deepEqual(planUser(args({ name: 'alice' }), fresh()).data, {});
  });

  it("warns about a password that is no hash, as user.py does, and about append without groups", () => {
    assert.equal(looksUnhashed(HASH), false);
    assert.equal(looksUnhashed('!'), false);
    assert.equal(looksUnhashed('secret'), true);
    assert.equal(looksUnhashed('$6$salt$short'), true);
    assert.match(planUser(args({ name: 'alice', password: 'secret' }), state()).warnings[0] ?? '', /appears not to have been hashed/);
    assert.match(planUser(args({ name: 'alice', append: true }), state()).warnings[0] ?? '', /'append' is set, but no 'groups'/);
  });

  it('turns epoch seconds into a UTC date', () => {
    assert.equal(expiryDate(0), '1970-01-01');
    assert.equal(expiryDate(1893455999), '2029-12-31');
  });
});

describe('user arguments', () => {
  const issues = (a: Record<string, unknown>): string => (UserArgs.safeParse(a).error?.issues ?? []).map((i) => i.message).join('\n');

  it('refuses the platform-only arguments by name', () => {
    assert.match(issues({ name: 'a', hidden: true }), /"hidden" is not supported by kvmplay \(macOS only\)/);
    assert.match(issues({ name: 'a', seuser: 'user_u' }), /"seuser" is not supported by kvmplay \(SELinux\)/);
    assert.match(issues({ name: 'a', login_class: 'x' }), /"login_class" is not supported/);
    assert.match(issues({ name: 'a', local: true }), /"local: true" is not supported/);
    assert.equal(UserArgs.safeParse({ name: 'a', local: false }).success, true);
  });

  it('takes the aliases user and createhome', () => {
    const a = UserArgs.parse({ user: 'bob', createhome: 'no' });
    assert.equal(a.name, 'bob');
    assert.equal(a.create_home, false);
    assert.equal(UserArgs.parse({ name: 'bob' }).create_home, true);
  });

  it('never shows the password in an error', () => {
    const r = UserArgs.safeParse({ name: 'a', password: ['s3cr3t-value'] });
    assert.equal(r.success, false);
    assert.doesNotMatch(JSON.stringify(r.error?.issues), /s3cr3t-value/);
    assert.equal(UserArgs.parse({ name: 'a', password: 12345 }).password, '12345');
    assert.match(r.error?.issues[0]?.message ?? '', /must be a string \(a crypt\(3\) hash\)/);
  });

  it('refuses a name that useradd would take for an option', () => {
    assert.match(issues({ name: '-r' }), /account name/);
    assert.match(issues({ name: 'a:b' }), /account name/);
  });
});

describe('user probe', () => {
  for (const c of loadProbeCases<UserHostState>('user-probe')) {
    it(`parses ${c.name}: ${c.title}`, () => {
      assert.equal(c.rc, 0);
      assert.deepEqual(parseUserProbe(c.stdout), c.expected);
    });
  }
});

describe('user module', () => {
  const [existing] = loadProbeCases('user-probe').filter((c) => c.name === 'existing-with-key');
  const [missing] = loadProbeCases('user-probe').filter((c) => c.name === 'missing');
  const [missingKey] = loadProbeCases('user-probe').filter((c) => c.name === 'missing-with-key-file');
  const isProbe = runsScript(USER_PROBE_SCRIPT) as (argv: readonly string[]) => boolean;
  const isAccount = runsScript(ACCOUNT_SCRIPT) as (argv: readonly string[]) => boolean;
  const isKeygen = runsScript(SSH_KEY_SCRIPT) as (argv: readonly string[]) => boolean;
  const mutating = (host: RecordedHost): Array<readonly string[]> => host.commands().filter((argv) => !isProbe(argv));

  it('creates an account: check mode runs only the probe; the hash goes on stdin, never in an argv or the result', async () => {
    assert.ok(existing && missing);
    // The account is missing for the check run and the real run's gather, there afterwards.
    const host = new RecordedHost().on(isProbe, { stdout: missing.stdout }, 2).on(isProbe, { stdout: existing.stdout }).on(isAccount, {});
    const a = userModule.args.parse({ name: 'kvfix-nobody', uid: 3952, password: HASH });
    const check = await userModule.run(host, a, fakeContext({ check: true }));
    assert.equal(check.changed, true);
    assert.equal(check.msg, 'would create user kvfix-nobody');
    assert.deepEqual(mutating(host), []);
    const r = await userModule.run(host, a, fakeContext());
    assert.equal(r.changed, true, r.msg);
    const account = host.calls.find((c) => c.op === 'run' && c.argv && isAccount(c.argv));
    assert.deepEqual(account?.argv?.slice(4), ['kvfix-nobody', 'yes', 'no', '', '', '', 'useradd', '-u', '3952', '-m', 'kvfix-nobody']);
    assert.equal(account?.opts?.stdin, `${HASH}\n`);
    for (const c of host.calls) assert.ok(!JSON.stringify(c.argv ?? []).includes(HASH), 'the hash is in an argv');
    assert.ok(!JSON.stringify(r).includes(HASH), 'the hash is in the result');
    assert.equal(r.data?.['password'], NOT_LOGGING_PASSWORD);
    assert.equal(r.data?.['create_home'], true);
  });

  it('fails with the command\'s stderr, as user.py', async () => {
    const host = new RecordedHost().on(isProbe, { stdout: missing?.stdout ?? '' }).on(isAccount, { rc: 4, stderr: 'useradd: UID 3952 is not unique\n' });
    const r = await userModule.run(host, userModule.args.parse({ name: 'kvfix-nobody', uid: 3952 }), fakeContext());
    assert.equal(r.failed, true);
    assert.equal(r.msg, 'useradd: UID 3952 is not unique');
    assert.equal(r.rc, 4);
  });

  it('leaves an existing key alone and registers its fingerprint', async () => {
    const host = new RecordedHost().on(isProbe, { stdout: existing?.stdout ?? '' });
    const r = await userModule.run(host, userModule.args.parse({ name: 'kvfix-a', generate_ssh_key: true, ssh_key_type: 'ed25519' }), fakeContext());
    assert.equal(r.changed, false, r.msg);
    assert.equal(r.data?.['ssh_fingerprint'], '256 SHA256:/uyHYf3kJSkQC4vY8xpgBqGAVpCBEKdz8lzBfLX7lEU fixture (ED25519)');
    assert.match(String(r.data?.['ssh_public_key']), /^ssh-ed25519 \S+ fixture$/);
    assert.deepEqual(mutating(host), []);
  });

  it('gives ssh-keygen the passphrase on stdin only', async () => {
    const host = new RecordedHost().on(isProbe, { stdout: missingKey?.stdout ?? '' }).on(isAccount, {}).on(isKeygen, {});
    const a = userModule.args.parse({ name: 'kvfix-nobody', generate_ssh_key: true, ssh_key_passphrase: 'open sesame', ssh_key_comment: 'k' });
    const r = await userModule.run(host, a, fakeContext());
    assert.equal(r.msg, 'create user kvfix-nobody, generate ssh key /home/kvfix-nobody/.ssh/id_rsa');
    assert.ok(!JSON.stringify(host.commands()).includes('open sesame'));
    const keygen = host.calls.find((c) => c.argv && isKeygen(c.argv));
    assert.deepEqual(keygen?.argv?.slice(4), ['kvfix-nobody', '.ssh/id_rsa', 'rsa', '0', 'k', 'no', 'yes']);
    assert.equal(keygen?.opts?.stdin, 'open sesame\n');
  });
});
