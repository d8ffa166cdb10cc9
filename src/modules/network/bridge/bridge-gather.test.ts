// The bridge probe's parser fed with what GATHER_SCRIPT really printed (recorded on
// the lab hosts and in a scratch network namespace, test/fixtures/probes/bridge-gather/):
// links, addresses, routes, bridge port states, OS family, init, NetworkManager and files.
import assert from 'node:assert/strict';
import { candidatePaths } from './bridge-render.js';
import { BridgeArgs } from './bridge-spec.js';
import { parseGather, type Gathered } from './bridge-gather.js';
import { loadProbeCases } from '../../../../test/support/recorded-host.js';

/** Gathered as JSON (its Maps as objects), the shape of the recordings' `expected`. */
function summarize(g: Gathered): unknown {
  return {
    osFamily: g.osFamily,
    systemdPid1: g.systemdPid1,
    systemdRun: g.systemdRun,
    setsid: g.setsid,
    ifupdownBridge: g.ifupdownBridge,
    nm: g.nm,
    links: [...g.live.links.values()],
    addrs: Object.fromEntries(g.live.addrs),
    routes: g.live.routes,
    portStates: Object.fromEntries(g.portStates),
    files: Object.fromEntries(g.files),
    ifupdown: Object.fromEntries(g.ifupdown),
  };
}

describe('bridge probe (recorded outputs)', () => {
  for (const c of loadProbeCases('bridge-gather')) {
    it(`reads ${c.name}: ${c.title}`, () => {
      assert.deepEqual(summarize(parseGather(c.stdout)), c.expected);
    });
  }

  it('was recorded with the candidate paths the module sends for br0 over em1', () => {
    const params = candidatePaths(BridgeArgs.parse({ name: 'br0', ports: ['em1'], dhcp: true }));
    for (const c of loadProbeCases('bridge-gather')) assert.deepEqual(c.params, params, c.name);
  });

  it('fails naming the missing section when the output is not the probe\'s', () => {
    assert.throws(() => parseGather('bash: ip: command not found\n'), /unexpected output from the bridge probe \(no link section\)/);
  });
});
