import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { canCarryStdin, frameCommand, MarkerScanner, statusAfterMarker } from './shell-frame.js';

/** Feeds `text` in chunks of `size` bytes; returns the output before the marker and the trailer. */
function scan(marker: string, text: string, size: number): { out: string; trailer: string; found: boolean } {
  const s = new MarkerScanner(marker);
  const bytes = Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(s.push(bytes.subarray(i, i + size)));
  return { out: Buffer.concat(parts).toString('utf8'), trailer: s.trailer.toString('utf8'), found: s.found };
}

describe('persistent shell frames', () => {
  it('finds the marker whatever the chunk boundaries, output byte for byte before it', () => {
    const output = 'KVMPLAY-a partial KVMPLAY-abc-EN and ü✓ without newline';
    for (const size of [1, 2, 3, 7, 16, 1000]) {
      const r = scan('KVMPLAY-abc-END=', `${output}KVMPLAY-abc-END=0\n`, size);
      assert.equal(r.out, output, `chunks of ${size}`);
      assert.equal(r.found, true);
      assert.equal(r.trailer, '0\n');
    }
  });

  it('passes output on at once when it cannot begin the marker', () => {
    const s = new MarkerScanner('KVMPLAY-x-END=');
    assert.equal(s.push(Buffer.from('hello KVM')).toString(), 'hello ');
    assert.equal(s.push(Buffer.from('Q')).toString(), 'KVMQ');
    assert.equal(s.found, false);
  });

  it('reads the exit status once its line is complete', () => {
    assert.equal(statusAfterMarker(Buffer.from('12')), undefined);
    assert.equal(statusAfterMarker(Buffer.from('12\n')), 12);
    assert.equal(statusAfterMarker(Buffer.from('x\n')), null);
  });

  it('is a shell line that keeps the command\'s cd, exit and exports to itself', () => {
    const first = frameCommand({ command: 'cd /; X=1; export Y=2; echo "$PWD"; exit 3', nonce: 'n1' });
    const second = frameCommand({ command: ['sh', '-c', 'echo "[$PWD][$X][$Y][$Z]"'], cwd: '/tmp', env: { Z: "it's" }, nonce: 'n2' });
    const out = execFileSync('sh', { input: Buffer.concat([first.text, second.text]), cwd: '/usr', encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });
    assert.equal(out, '/\nKVMPLAY-n1-END=3\n[/tmp][][][it\'s]\nKVMPLAY-n2-END=0\n');
  });

  it('gives the command an empty stdin, not the shell\'s', () => {
    const f = frameCommand({ command: 'cat; echo done', nonce: 'n3' });
    const out = execFileSync('sh', { input: Buffer.concat([f.text, Buffer.from('echo never-read-by-cat\n')]), encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });
    assert.equal(out, 'done\nKVMPLAY-n3-END=0\nnever-read-by-cat\n');
  });

  it('gives stdin bytes as they are, quotes, backslashes and invalid UTF-8 included', () => {
    const bytes = Buffer.concat([Buffer.from("it's a \\ $(x) `y` '' \n\nend"), Buffer.from([0xff, 0xfe, 0x0a])]);
    const f = frameCommand({ command: ['od', '-An', '-tx1', '-v'], stdin: bytes, nonce: 'n4' });
    const out = execFileSync('sh', { input: f.text, encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });
    const hex = out.slice(0, out.indexOf('KVMPLAY')).split(/\s+/).filter(Boolean).join('');
    assert.equal(hex, bytes.toString('hex'));
  });

  it('leaves NUL bytes and very large input to an exec channel', () => {
    assert.equal(canCarryStdin(Buffer.from('a\0b')), false);
    assert.equal(canCarryStdin(Buffer.alloc(5 * 1024 * 1024, 0x61)), false);
    assert.equal(canCarryStdin(Buffer.from('plain text\n')), true);
    assert.throws(() => frameCommand({ command: 'cat', stdin: Buffer.from('a\0b'), nonce: 'n5' }), TypeError);
  });

  it('refuses a nonce that could break the markers', () => {
    assert.throws(() => frameCommand({ command: 'true', nonce: 'a-b' }), TypeError);
  });
});
