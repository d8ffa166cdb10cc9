// --start-at-task NAME as ansible-playbook does it: every task before the first one
// whose name is NAME (or matches it as a glob, or is `role : NAME`) is left out, in
// every play; the plays themselves still start (their facts are gathered).
import { OptionsError } from '../errors.js';
import type { LoadedRun, Step, Task } from '../playbook/model.js';
import { fnmatchRegExp } from '../util/fnmatch.js';

export function taskMatches(task: Task, wanted: string): boolean {
  const re = fnmatchRegExp(wanted);
  const names = [task.name ?? task.module];
  if (task.role) names.push(`${task.role.name} : ${task.name ?? task.module}`);
  return names.some((n) => n === wanted || re.test(n));
}

/** Changes `loaded` in place; a name no task has is an error (exit 5), as in Ansible. */
export function startAtTask(loaded: LoadedRun, wanted: string): void {
  let found = false;
  const prune = (steps: readonly Step[]): Step[] => {
    const kept: Step[] = [];
    for (const step of steps) {
      if (step.kind === 'flush') kept.push(step);
      else if (step.kind === 'task') {
        if (!found && taskMatches(step.task, wanted)) found = true;
        if (found) kept.push(step);
      } else {
        const block = { ...step, block: prune(step.block), rescue: prune(step.rescue), always: prune(step.always) };
        if (block.block.length + block.rescue.length + block.always.length > 0) kept.push(block);
      }
    }
    return kept;
  };
  for (const pb of loaded.playbooks) {
    for (const play of pb.plays) {
      play.steps = prune(play.steps);
      const left = new Set<Task>();
      collectTasks(play.steps, left);
      play.tasks = play.tasks.filter((t) => left.has(t));
    }
  }
  if (!found) {
    throw new OptionsError(`--start-at-task ${JSON.stringify(wanted)}: no task has this name (only statically imported tasks can be started at)`);
  }
}

function collectTasks(steps: readonly Step[], into: Set<Task>): void {
  for (const s of steps) {
    if (s.kind === 'task') into.add(s.task);
    else if (s.kind === 'block') for (const part of [s.block, s.rescue, s.always]) collectTasks(part, into);
  }
}
