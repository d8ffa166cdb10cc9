import assert from 'node:assert/strict';
import { splitScript } from './script.js';

describe('script free form', () => {
  it('takes the first word as the local path and keeps the rest as written (shell text for the host)', () => {
    assert.deepEqual(splitScript('files/x.sh one "two words" $HOME'), { path: 'files/x.sh', args: 'one "two words" $HOME' });
    assert.deepEqual(splitScript('"my dir/x.sh"'), { path: 'my dir/x.sh', args: '' });
    assert.deepEqual(splitScript("  'a b.sh'  --flag"), { path: 'a b.sh', args: '--flag' });
  });
});
