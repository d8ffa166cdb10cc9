// The small surface modules see of a host (STYLE 1). Only ssh-host.ts implements
// it over ssh2; unit tests use fakes.

import type { OpenConnection } from './ssh/connect.js';
import type { ThroughTarget } from './ssh/through.js';

/** How `become` changes user (Ansible's become_method); sudo unless asked otherwise. */
export type BecomeMethod = 'sudo' | 'su';

export const BECOME_METHODS: readonly BecomeMethod[] = ['sudo', 'su'];

export interface RunOptions {
  /** Run as another user (sudo or su) with the host's become settings (password fed on stdin). */
  become?: boolean;
  /** With become: the user to become for this call, instead of the host's become_user. */
  becomeUser?: string;
  /** With become: how to become (default sudo). su asks for the TARGET user's password. */
  becomeMethod?: BecomeMethod;
  /**
   * Environment variables for the command (Ansible's `environment`), set after become
   * (sudo resets the environment). Names must be shell identifiers.
   */
  env?: Readonly<Record<string, string>>;
  /** Bytes for the command's standard input. */
  stdin?: string | Buffer;
  /** End the remote command after this many milliseconds (rc null, timedOut true). */
  timeoutMs?: number;
  /** Abort (Ctrl-C): the remote command is ended. */
  signal?: AbortSignal;
  /** Working directory on the host. */
  cwd?: string;
}

export interface RunResult {
  rc: number | null;
  stdout: string;
  stderr: string;
  /** Signal that ended the remote command, if any. */
  signal?: string;
  timedOut?: boolean;
}

export interface FileStat {
  size: number;
  mode: number;
  uid: number;
  gid: number;
  isDirectory: boolean;
  isFile: boolean;
  isSymlink: boolean;
}

export interface ReconnectOptions {
  /** Connect timeout for the new connection, in milliseconds. */
  timeoutMs?: number;
}

export interface Host {
  /** Inventory name. */
  readonly name: string;
  /** Open the connection now (otherwise the first call opens it). Throws UnreachableError. */
  connect(): Promise<void>;
  /**
   * Run a command. An array is an argv: every element is shell-quoted on the way.
   * A string is handed to `sh -c` as is.
   */
  run(command: string | readonly string[], opts?: RunOptions): Promise<RunResult>;
  // File operations are SFTP as the login user: they never become. Writes as another
  // user (file modules with become) go through `run`, so RunOptions covers them.
  readFile(path: string): Promise<Buffer | null>;
  /** Write via a temp file in the same directory + rename, so readers never see half a file. */
  writeAtomic(path: string, data: string | Buffer, opts?: { mode?: number }): Promise<void>;
  stat(path: string): Promise<FileStat | null>;
  /**
   * Drop the connection and open a NEW one (e.g. after a network change: the new
   * connection proves the host is reachable through the new path). `timeoutMs`
   * bounds the new connection's handshake instead of the inventory's timeout, so
   * a caller racing a deadline (the bridge module's rollback) can give up in time.
   * Throws UnreachableError when the new connection cannot be opened.
   */
  reconnect(opts?: ReconnectOptions): Promise<void>;
  close(): Promise<void>;
  /**
   * A NEW connection to a machine only this host reaches (a guest on its NAT network),
   * through this host as the last jump (ssh/through.ts); the caller closes it. Missing
   * on hosts that are not reached over SSH.
   */
  openThrough?(target: ThroughTarget, opts: { acceptNewHostKeys: boolean }): Promise<OpenConnection>;
}
