// The typed events the runner emits; output modules subscribe (STYLE 1).

export type TaskStatus = 'ok' | 'changed' | 'failed' | 'unreachable' | 'skipped';

/** One loop item's outcome, inside its task's result event. */
export interface ItemResult {
  /** The item's label (loop_control.label, else the item itself, shortened). */
  item: string;
  status: Exclude<TaskStatus, 'unreachable'>;
  changed: boolean;
  msg: string;
}

/** One task result on one host: the unit of SPEC 2's `--json` events. */
export interface TaskResultEvent {
  event: 'task';
  host: string;
  task: string;
  status: TaskStatus;
  changed: boolean;
  duration_ms: number;
  msg: string;
  /** Command output where the task ran a command (exec, shell, …). */
  rc?: number | null;
  stdout?: string;
  stderr?: string;
  /** Playbook runs: the play's name. */
  play?: string;
  /** A handler's run (printed as RUNNING HANDLER). */
  handler?: boolean;
  /** A failure that `ignore_errors` let pass: status stays `failed`, the host goes on. */
  ignored?: boolean;
  /** Its message is always shown, as Ansible always prints what `debug` says. */
  show?: boolean;
  /** A failure inside a block that has a `rescue`: counted as rescued, not failed (as Ansible). */
  rescued?: boolean;
  /** --diff: unified diff of what changed (or would change in --check). */
  diff?: string;
  /** Loops: every item's outcome, in order. */
  items?: ItemResult[];
  /** `until` loops: attempts made. */
  attempts?: number;
  /** include_tasks: the files the host goes on with (Ansible's `included:` lines). */
  included?: string[];
}

/** A host started working on a task (drives live progress; not printed as JSON). */
export interface TaskStartEvent {
  event: 'task_start';
  host: string;
  task: string;
  play?: string;
  handler?: boolean;
}

/** One loop item finished (plain output prints it as it arrives; not JSON). */
export interface TaskItemEvent extends ItemResult {
  event: 'task_item';
  host: string;
  task: string;
  play: string;
  handler: boolean;
  diff?: string;
  /** include_tasks in a loop: the file this item includes. */
  included?: string;
  /** debug's message, printed for every item as Ansible does. */
  show?: boolean;
  rc?: number | null;
  stdout?: string;
  stderr?: string;
}

/** `until` was false and another attempt follows (Ansible's FAILED - RETRYING). */
export interface TaskRetryEvent {
  event: 'task_retry';
  host: string;
  task: string;
  play: string;
  handler: boolean;
  retriesLeft: number;
}

/** A playbook run starts: every host any play may touch (live views lay out rows). */
export interface RunStartEvent {
  event: 'run_start';
  hosts: string[];
}

/** A play starts on its matched hosts. */
export interface PlayStartEvent {
  event: 'play_start';
  play: string;
  hosts: string[];
}

/** Something the operator should read that is no task result (no hosts matched, rollout stopped). */
export interface NoticeEvent {
  event: 'notice';
  level: 'warning' | 'info';
  msg: string;
}

export type RunEvent =
  | TaskResultEvent
  | TaskStartEvent
  | TaskItemEvent
  | TaskRetryEvent
  | RunStartEvent
  | PlayStartEvent
  | NoticeEvent;

export type EventListener = (e: RunEvent) => void;

/** A tiny synchronous fan-out of events to the reporters. */
export class EventBus {
  private readonly listeners: EventListener[] = [];

  subscribe(listener: EventListener): void {
    this.listeners.push(listener);
  }

  emit(e: RunEvent): void {
    for (const l of this.listeners) l(e);
  }
}
