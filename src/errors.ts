// One small error tree; the CLI maps `exitCode` to the process exit status.
// Exit codes follow ansible-playbook (SPEC 2).

export const EXIT = {
  ok: 0,
  error: 1,
  hostFailed: 2,
  unreachable: 3,
  validation: 4,
  options: 5,
  interrupted: 99,
} as const;

export class KvmplayError extends Error {
  readonly exitCode: number = EXIT.error;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A position in a source file, 1-based line and column. */
export interface SourcePosition {
  file: string;
  line: number;
  col: number;
}

/** Bad input file: playbook, inventory, template, vars. Nothing was run. */
export class ValidationError extends KvmplayError {
  override readonly exitCode: number = EXIT.validation;
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly detail: string;
  constructor(pos: SourcePosition, detail: string, options?: { cause?: unknown }) {
    super(`${pos.file}:${pos.line}:${pos.col}: ${detail}`, options);
    this.file = pos.file;
    this.line = pos.line;
    this.col = pos.col;
    this.detail = detail;
  }
}

/** Bad command-line options. */
export class OptionsError extends KvmplayError {
  override readonly exitCode: number = EXIT.options;
}

/** A host could not be reached, authenticated or trusted. */
export class UnreachableError extends KvmplayError {
  override readonly exitCode: number = EXIT.unreachable;
  readonly host: string;
  constructor(host: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.host = host;
  }
}

/** What a failed command or task leaves for `register:` besides its message. */
export interface TaskErrorDetail {
  rc?: number | null;
  stdout?: string;
  stderr?: string;
  /** Further result fields (the module runner puts them in the failed result). */
  data?: Record<string, unknown>;
}

/** A command or task failed on a host. */
export class TaskError extends KvmplayError {
  override readonly exitCode: number = EXIT.hostFailed;
  readonly host: string;
  readonly rc: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly data: Record<string, unknown> | undefined;
  constructor(host: string, message: string, detail: TaskErrorDetail = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.host = host;
    this.rc = detail.rc ?? null;
    this.stdout = detail.stdout ?? '';
    this.stderr = detail.stderr ?? '';
    this.data = detail.data;
  }
}

/** A command on a host ran past its timeout and was ended. */
export class CommandTimeoutError extends TaskError {}

/** The lab could not be set up or torn down. */
export class LabError extends KvmplayError {}

/** The run was interrupted (Ctrl-C). */
export class InterruptedError extends KvmplayError {
  override readonly exitCode: number = EXIT.interrupted;
}
