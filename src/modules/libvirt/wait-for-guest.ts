// `wait_for_guest` (kvmplay's own): after a rollout starts a VM, wait until the guest
// answers SSH. Run on the hypervisor: one shell script polls, in one round trip, the
// domain's address (DHCP lease, else ARP: `virsh domifaddr`) and then TCP port 22
// from the hypervisor — a lease can be a previous boot's (a reused MAC), so only an
// open port counts. Then ONE SSH login from the control machine through the
// hypervisor (the hypervisor as the last jump), which records the guest's host key
// under the guest's name (HostKeyAlias: guests of different hypervisors share NAT
// addresses) the first time and checks it after; a changed key fails at once. Bounded
// by `timeout`; never changed; skipped in check mode (nothing was started).
import { z } from 'zod';
import { InterruptedError, TaskError } from '../../errors.js';
import type { Host } from '../../transport/host.js';
import type { OpenConnection } from '../../transport/ssh/connect.js';
import { argumentSpec, boolish } from '../args.js';
import { NEVER_APPLIED, type NoChange } from '../engine/no-change.js';
import type { ModuleContext, ModuleResult, RunModuleContext } from '../module.js';
import { defineModule, type Module, type Plan, type PlanFailure } from '../runner.js';
import { runOptions, script } from '../remote.js';
import { ansibleInt, keyedLines } from '../system/wait-for.js';
import { DEFAULT_URI } from './libvirt-run.js';

export const CHECK_MODE_SKIP = 'wait_for_guest: skipped in check mode (no guest was started)';
// The login itself may take this long (an SSH handshake under software emulation).
const LOGIN_TIMEOUT_S = 20;
// Beyond the script's own deadline: its last probe.
const REMOTE_GRACE_MS = 15_000;

const seconds = ansibleInt.refine((n) => n >= 1, { message: 'must be at least 1' });

export const WaitForGuestArgs = argumentSpec({
  name: z.string().min(1),
  uri: z.string().min(1).default(DEFAULT_URI),
  timeout: seconds.default(300),
  port: ansibleInt.refine((n) => n >= 1 && n <= 65535, { message: 'must be a TCP port (1-65535)' }).default(22),
  /** The guest's login user for the SSH check. */
  user: z.string().min(1).default('root'),
  /** Key file(s) on the control machine for the guest; default: the hypervisor's. */
  private_key_file: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
  /** The name the guest's host key is recorded under; default: the domain's name. */
  host_key_alias: z.string().min(1).optional(),
  /** false: stop once the port is open (no login, no host key recorded). */
  login: boolish.default(true),
});
export type WaitForGuestArgs = z.output<typeof WaitForGuestArgs>;

// Positional: uri name port timeout. Prints `address A`, `elapsed N`, `result ok|timeout|error`
// and `error TEXT`. A domain that is not running is an error at once (it will not boot by
// waiting). Addresses: the lease's first, then ARP's; each one's port tried for 1 s.
export const GUEST_WAIT_SCRIPT = `set -u
uri=$1 name=$2 port=$3 timeout=$4
now() { IFS=' .' read -r s c _ </proc/uptime; echo $((s * 100 + 1$c - 100)); }
start=$(now)
end=$((start + timeout * 100))
finish() { printf '%s\\n' "elapsed $((($(now) - start) / 100))" "result $1"; [ $# -lt 2 ] || printf 'error %s\\n' "$2"; exit 0; }
command -v bash >/dev/null 2>&1 && command -v timeout >/dev/null 2>&1 || finish error "waiting for a guest needs bash and timeout on the hypervisor"
v() { LC_ALL=C virsh -q -c "$uri" "$@"; }
addresses() {
  for src in lease arp; do
    v domifaddr --source "$src" --domain "$name" 2>/dev/null | awk '$3 == "ipv4" { sub(/\\/.*/, "", $4); print $4 }'
  done
}
while [ "$(now)" -lt "$end" ]; do
  state=$(v domstate --domain "$name" 2>&1) || finish error "$state"
  case $state in running) ;; *) finish error "the domain is $state, not running" ;; esac
  for a in $(addresses); do
    if timeout 1 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$a" "$port" 2>/dev/null; then
      echo "address $a"
      finish ok
    fi
  done
  sleep 0.25 2>/dev/null || sleep 1
done
finish timeout
`;

export type GuestWait =
  | { kind: 'ok'; elapsed: number; address: string; hostname?: string; alias?: string }
  | { kind: 'timeout' | 'error'; elapsed: number; text: string };

/** The script's last lines → how the wait on the hypervisor ended. Pure. */
export function parseGuestWait(stdout: string): GuestWait | undefined {
  const lines = keyedLines(stdout);
  const elapsed = Number(lines.get('elapsed'));
  if (!Number.isInteger(elapsed)) return undefined;
  const result = lines.get('result');
  const address = lines.get('address');
  if (result === 'ok' && address) return { kind: 'ok', elapsed, address };
  if (result === 'timeout') return { kind: 'timeout', elapsed, text: 'no address with an open port yet' };
  if (result === 'error') return { kind: 'error', elapsed, text: lines.get('error') ?? 'the wait failed' };
  return undefined;
}

async function waitForPort(host: Host, a: WaitForGuestArgs, ctx: ModuleContext, timeout: number): Promise<GuestWait> {
  const r = await host.run(script(GUEST_WAIT_SCRIPT, a.uri, a.name, String(a.port), String(Math.max(1, timeout))),
    runOptions(ctx, { timeoutMs: timeout * 1000 + REMOTE_GRACE_MS }));
  const out = parseGuestWait(r.stdout);
  if (!out) throw new TaskError(ctx.hostName, `wait_for_guest: the wait on the hypervisor failed: ${r.stderr.trim() || `exit status ${r.rc}`}`, { rc: r.rc, stderr: r.stderr });
  return out;
}

/** `hostname` on the guest over a connection through the hypervisor. */
function remoteHostname(conn: OpenConnection): Promise<string> {
  return new Promise((resolve, reject) => {
    conn.client.exec('hostname', (err, channel) => {
      if (err) return reject(err);
      let out = '';
      channel.on('data', (b: Buffer) => (out += b.toString()));
      channel.stderr.on('data', () => undefined);
      channel.on('close', () => resolve(out.trim()));
    });
  });
}

function closeAll(conn: OpenConnection): void {
  conn.client.end();
  for (const j of conn.jumps.reverse()) j.end();
}

/** A key that changed is a refusal, not "not up yet": waiting would not fix it. */
function isHostKeyRefusal(err: unknown): boolean {
  return err instanceof Error && /host key|known_hosts|REMOTE HOST IDENTIFICATION/i.test(err.message);
}

export async function waitForGuest(host: Host, a: WaitForGuestArgs, ctx: ModuleContext): Promise<GuestWait> {
  const start = Date.now();
  const left = (): number => a.timeout - Math.floor((Date.now() - start) / 1000);
  const elapsed = (): number => Math.floor((Date.now() - start) / 1000);
  let lastError = '';
  for (;;) {
    const port = await waitForPort(host, a, ctx, left());
    if (port.kind !== 'ok' || !a.login) return { ...port, elapsed: elapsed() };
    if (!host.openThrough) throw new TaskError(ctx.hostName, 'wait_for_guest: logging into the guest needs an SSH connection to the hypervisor (login: false waits for the port only)');
    const alias = a.host_key_alias ?? a.name;
    const keys = a.private_key_file === undefined ? undefined : [a.private_key_file].flat();
    try {
      const conn = await host.openThrough({
        name: alias, address: port.address, port: a.port, user: a.user,
        ...(keys ? { identityFiles: keys } : {}),
        connectTimeout: Math.max(1, Math.min(LOGIN_TIMEOUT_S, left())),
      }, { acceptNewHostKeys: true });
      try {
        return { kind: 'ok', elapsed: elapsed(), address: port.address, hostname: await remoteHostname(conn), alias };
      } finally {
        closeAll(conn);
      }
    } catch (err) {
      if (err instanceof InterruptedError) throw err;
      lastError = err instanceof Error ? err.message : String(err);
      if (isHostKeyRefusal(err)) return { kind: 'error', elapsed: elapsed(), text: lastError };
    }
    // The port opened before the SSH server was ready to log in: try again while time is left.
    if (left() <= 0 || ctx.signal.aborted) return { kind: 'timeout', elapsed: elapsed(), text: `the port is open but no login succeeded: ${lastError}` };
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Pure: the task's result from how the wait ended. */
export function planWaitForGuest(a: WaitForGuestArgs, w: GuestWait): Plan<NoChange> | PlanFailure {
  if (w.kind !== 'ok') {
    const fail = w.kind === 'timeout' ? `timed out after ${a.timeout} s waiting for guest ${a.name} to answer on port ${a.port}: ${w.text}` : `guest ${a.name}: ${w.text}`;
    return { fail, data: { elapsed: w.elapsed } };
  }
  const data: Record<string, unknown> = { elapsed: w.elapsed, address: w.address };
  if (w.hostname !== undefined) data['hostname'] = w.hostname;
  if (w.alias !== undefined) data['host_key_alias'] = w.alias;
  const who = w.hostname !== undefined ? ` as ${w.hostname}` : '';
  return { changes: [], okMsg: `${a.name} answers SSH at ${w.address}${who} after ${w.elapsed} s`, data };
}

const lifecycle = defineModule({
  names: ['wait_for_guest'],
  args: WaitForGuestArgs,
  gather: (host, a, ctx) => waitForGuest(host, a, ctx),
  plan: (a, w: GuestWait) => planWaitForGuest(a, w),
  ...NEVER_APPLIED,
});

export const waitForGuestModule: Module = {
  ...lifecycle,
  run: (host, parsedArgs, ctx: RunModuleContext): Promise<ModuleResult> =>
    ctx.check ? Promise.resolve({ changed: false, skipped: true, msg: CHECK_MODE_SKIP }) : lifecycle.run(host, parsedArgs, ctx),
};
