// Errors of the expression language. Both carry a 1-based column into the expression
// source so the playbook loader can turn them into file:line:col (a ValidationError
// with this as its cause); the runner turns an ExprError into a failed task.
import { KvmplayError } from '../errors.js';

/** The expression does not parse, or names an unknown filter or test. */
export class ExprSyntaxError extends KvmplayError {
  /** 1-based offset into the expression source. */
  readonly column: number;
  /** The message without the position, for callers that print their own. */
  readonly detail: string;
  readonly source: string;
  constructor(source: string, column: number, detail: string, options?: { cause?: unknown }) {
    super(`expression syntax error at column ${column}: ${detail}`, options);
    this.column = column;
    this.detail = detail;
    this.source = source;
  }
}

/** Evaluation failed: undefined variable, incompatible types, bad filter input. */
export class ExprError extends KvmplayError {
  /** 1-based offset of the sub-expression that failed, when known. */
  readonly column: number | null;
  constructor(message: string, column: number | null = null, options?: { cause?: unknown }) {
    super(message, options);
    this.column = column;
  }
}
