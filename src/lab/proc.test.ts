import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { childrenByParent, hasLocalAddress, parseStat, procState, tcpListening } from './proc.js';

describe('lab /proc readers', () => {
  it('parses /proc/PID/stat even when the command name holds spaces and parentheses', () => {
    const rest = 'S 27331 27333 27333 0 -1 4194560 300 0 0 0 1 2 0 0 20 0 1 0 98765 8000000 900';
    assert.deepEqual(parseStat(`27333 (sshd: a) b) ${rest}`), { state: 'S', ppid: 27331, startTime: 98765 });
    assert.equal(parseStat('garbage'), null);
  });

  it('treats a zombie, a missing process and a reused pid as ended', () => {
    const st = { state: 'S', ppid: 1, startTime: 5 };
    assert.equal(procState(st, 5), 'running');
    assert.equal(procState({ ...st, state: 'Z' }, 5), 'zombie');
    assert.equal(procState(st, 6), 'gone');
    assert.equal(procState(null), 'gone');
  });

  it('finds a listening socket on port 22 in /proc/PID/net/tcp', () => {
    const header = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
    const listen = '   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0\n';
    const established = '   1: 0B00D50A:0016 0100D50A:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 20 4 30 10 -1\n';
    assert.ok(tcpListening(header + listen, 22));
    assert.ok(!tcpListening(header + established, 22));
    assert.ok(!tcpListening(header + listen, 2222));
    assert.ok(!tcpListening('', 22));
  });

  it('finds an address among the namespace\'s LOCAL leaves of fib_trie, not a network or broadcast', () => {
    const trie = [
      'Main:', '  +-- 0.0.0.0/0 3 0 5', '        +-- 10.213.0.0/24 2 0 2', '              |-- 10.213.0.0', '                 /24 link UNICAST',
      '              |-- 10.213.0.14', '                 /32 host LOCAL', '           |-- 10.213.0.255', '              /32 link BROADCAST', '',
    ].join('\n');
    assert.ok(hasLocalAddress(trie, '10.213.0.14'));
    assert.ok(!hasLocalAddress(trie, '10.213.0.0'));
    assert.ok(!hasLocalAddress(trie, '10.213.0.255'));
    assert.ok(!hasLocalAddress(trie, '10.213.0.1'));
  });

  it('finds the first child of each of several parents, whatever their pids', async () => {
    const parents = [0, 1].map(() => spawn('sh', ['-c', 'sleep 30 & echo $!; wait'], { stdio: ['ignore', 'pipe', 'ignore'] }));
    let kids: number[] = [];
    try {
      kids = await Promise.all(parents.map((p) => new Promise<number>((ok) => p.stdout!.once('data', (d: Buffer) => ok(Number(d.toString().trim()))))));
      const found = await childrenByParent(parents.map((p) => p.pid!));
      assert.deepEqual(parents.map((p) => found.get(p.pid!)), kids);
    } finally {
      for (const p of parents) p.kill('SIGKILL');
      for (const k of kids) process.kill(k, 'SIGKILL');
    }
  });
});
