// Connect timeouts that measure the network, not the controller. A plain timer counts
// wall time: when the controller is busy (templating for a thousand hosts, a burst of
// results), the event loop reads nothing off the sockets, and a handshake an idle sshd
// answered at once looks timed out. This clock ticks while any deadline is waiting; a
// tick that comes late counts as at most two ticks, so time the loop spent on other work
// is not charged to the network.
const TICK_MS = 100;

interface Waiting {
  expiresAt: number;
  onExpire: () => void;
}

let networkTime = 0;
let lastTick = 0;
let timer: NodeJS.Timeout | undefined;
const waiting = new Set<Waiting>();

function tick(): void {
  const now = performance.now();
  networkTime += Math.min(now - lastTick, 2 * TICK_MS);
  lastTick = now;
  for (const w of waiting) {
    if (networkTime < w.expiresAt) continue;
    waiting.delete(w);
    w.onExpire();
  }
  if (waiting.size === 0) stop();
}

function stop(): void {
  clearInterval(timer);
  timer = undefined;
}

export interface NetworkDeadline {
  cancel(): void;
}

/** Call `onExpire` once the network has had `ms` of the controller's attention, unless cancelled first. */
export function networkDeadline(ms: number, onExpire: () => void): NetworkDeadline {
  if (timer === undefined) {
    lastTick = performance.now();
    // Unreferenced: a deadline alone never keeps kvmplay running (the socket does).
    timer = setInterval(tick, TICK_MS).unref();
  }
  const w: Waiting = { expiresAt: networkTime + ms, onExpire };
  waiting.add(w);
  return {
    cancel: () => {
      waiting.delete(w);
      if (waiting.size === 0) stop();
    },
  };
}
