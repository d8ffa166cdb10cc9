// Handlers (SPEC 4): notified by name or `listen` topic when a task changed
// something; each runs once per host at the end of the play, in the order the
// handlers are DEFINED (not notified). A handler may notify others: one later in
// the list runs in the same pass, an earlier one in another pass. Pure.
import type { Task } from '../playbook/index.js';

// A handler that keeps notifying a handler before it would loop forever.
export const MAX_HANDLER_PASSES = 10;

export class HandlerQueue {
  private readonly pending: boolean[];

  constructor(private readonly handlers: readonly Task[]) {
    this.pending = handlers.map(() => false);
  }

  /** Mark every handler named `topic` or listening to it; returns how many matched. */
  notify(topic: string): number {
    let matched = 0;
    this.handlers.forEach((h, i) => {
      // A role's handler also answers to "role : name", as in Ansible.
      const qualified = h.role !== undefined && h.name !== undefined && topic === `${h.role.name} : ${h.name}`;
      if (h.name === topic || h.listen.includes(topic) || qualified) {
        this.pending[i] = true;
        matched++;
      }
    });
    return matched;
  }

  any(): boolean {
    return this.pending.some(Boolean);
  }

  /** The first notified handler at or after `from` (definition order), taken off the queue. */
  takeFrom(from: number): { index: number; handler: Task } | undefined {
    for (let i = Math.max(0, from); i < this.handlers.length; i++) {
      if (this.pending[i]) {
        this.pending[i] = false;
        return { index: i, handler: this.handlers[i]! };
      }
    }
    return undefined;
  }
}

/**
 * Run the notified handlers: passes in definition order until none is pending.
 * `run` returns false to stop (the host failed); the result says whether all went well.
 */
export async function flushHandlers(queue: HandlerQueue, run: (handler: Task) => Promise<boolean>): Promise<boolean> {
  for (let pass = 0; pass < MAX_HANDLER_PASSES && queue.any(); pass++) {
    let next = queue.takeFrom(0);
    while (next) {
      if (!(await run(next.handler))) return false;
      next = queue.takeFrom(next.index + 1);
    }
  }
  return true;
}
