// The typed events the runner emits; output modules subscribe (STYLE 1).

export type TaskStatus = 'ok' | 'changed' | 'failed' | 'unreachable' | 'skipped';

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
}

/** A host started working on a task (drives live progress; not printed as JSON). */
export interface TaskStartEvent {
  event: 'task_start';
  host: string;
  task: string;
}

export type RunEvent = TaskResultEvent | TaskStartEvent;

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
