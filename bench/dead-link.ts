// How long a dead link goes unnoticed (issue 11, item 10): a command runs on lab04
// with the connection settings the lab's inventory gives it (the default keepalives:
// a probe every 5 s, dead after 3 unanswered), its link is cut on the control side
// (`ip link set kvp1-lab04 down`: packets vanish, nothing is reset), and the time from
// the cut to the UnreachableError is measured. The cut comes at a random moment of
// the keepalive cycle, so the tries sample it. The link is restored after each try.
// Usage (after `npx tsc -p .`; the shared test lab, `kvmplay lab up` as ensureLab()):
//   node dist/bench/dead-link.js [--tries 10] [--host lab04]
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { UnreachableError } from '../src/errors.js';
import { connectionFor, loadInventory } from '../src/inventory/index.js';
import { SshHost } from '../src/transport/ssh/ssh-host.js';
import { ensureLab } from '../test/support/lab-fixture.js';

const { values } = parseArgs({
  options: {
    tries: { type: 'string', default: '10' },
    host: { type: 'string', default: 'lab04' },
  },
});
const TRIES = Number(values.tries);
const HOST = String(values.host);
const LINK = `kvp1-${HOST}`; // src/lab/paths.ts outerLinks: the control-side veth

const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));
const setLink = (state: 'up' | 'down'): void => void execFileSync('ip', ['link', 'set', LINK, state]);

async function oneTry(spec: ReturnType<typeof connectionFor>): Promise<number> {
  const host = new SshHost(spec, { acceptNewHostKeys: false, agentSocket: '' });
  try {
    await host.run(['true']);
    const running = host.run(['sleep', '300']);
    await sleep(500 + Math.random() * spec.serverAlive!.interval * 1000);
    setLink('down');
    const cut = Date.now();
    try {
      await running;
    } catch (err) {
      if (!(err instanceof UnreachableError)) throw err;
      return (Date.now() - cut) / 1000;
    }
    throw new Error('the command finished although its link was cut');
  } finally {
    setLink('up');
    await host.close();
  }
}

const lab = await ensureLab();
const spec = connectionFor(await loadInventory([lab.inventory]), HOST);
const times: number[] = [];
try {
  for (let i = 0; i < TRIES; i++) {
    const s = await oneTry(spec);
    times.push(s);
    console.log(`try ${i + 1}: unreachable ${s.toFixed(2)} s after the cut`);
    // The restored link answers again before the next try connects.
    await sleep(1000);
  }
} finally {
  setLink('up');
}
const sorted = [...times].sort((a, b) => a - b);
const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
const alive = spec.serverAlive!;
console.log(`${HOST}, ServerAliveInterval ${alive.interval} s × ServerAliveCountMax ${alive.countMax}, ${times.length} tries: `
  + `min ${sorted[0]!.toFixed(2)} s, median ${median.toFixed(2)} s, max ${sorted[sorted.length - 1]!.toFixed(2)} s`);
