// A lab host's network as `lab up` made it, for e2e files that bridge a host's em1
// (bridge.test.ts, site.test.ts): undone from the lab's console — `ip` inside the
// host's network namespace, from the control machine — and, once the host is
// reachable again, on the host itself.
import { execFileSync } from 'node:child_process';

/** `ip ARGS` inside a lab host's network namespace. */
export function consoleIp(netns: string, ...args: string[]): string {
  return execFileSync('ip', ['netns', 'exec', netns, 'ip', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** From the console: no br0/br1, em1 with its address (`10.213.0.12/24`), both ports up. */
export function consoleResetNetwork(netns: string, addressCidr: string): void {
  for (const br of ['br0', 'br1']) {
    try { consoleIp(netns, 'link', 'del', 'dev', br); } catch { /* absent */ }
  }
  consoleIp(netns, 'addr', 'flush', 'dev', 'em1', 'scope', 'global');
  consoleIp(netns, 'addr', 'add', addressCidr, 'dev', 'em1');
  consoleIp(netns, 'link', 'set', 'dev', 'em1', 'up');
  consoleIp(netns, 'link', 'set', 'dev', 'em2', 'up');
}

/** On the host: disarm every bridge rollback still armed (so none fires later) and forget them. */
export const DISARM_ALL_ROLLBACKS = [
  'for d in /var/lib/kvmplay/bridge/*/; do',
  '  [ -e "$d/armed" ] && mv -- "$d/armed" "$d/disarmed" && p=$(cat "$d/sleeper.pid" 2>/dev/null) && kill -TERM "-$p"',
  'done',
  'if [ -d /run/systemd/system ]; then systemctl stop "kvmplay-bridge-rollback-*.timer" "kvmplay-bridge-rollback-*.service" 2>/dev/null; systemctl reset-failed 2>/dev/null; fi',
  'rm -rf /var/lib/kvmplay/bridge; exit 0',
].join('\n');

/** On the host: the ifupdown files as before a bridge — its ports' stanzas back, no bridge files. */
export const UNDO_IFUPDOWN_BRIDGES =
  'sed -i "s/^#kvmplay(br[0-9]*)# //" /etc/network/interfaces && rm -f /etc/network/interfaces.d/br0 /etc/network/interfaces.d/br1';
