// Who and where kvmplay runs: the same for every host and task of a run, so asked of
// the system once.
import { hostname, userInfo } from 'node:os';

let user: string | undefined;
let host: string | undefined;

/** The control machine's user name (os.userInfo; throws as it does when the uid has no entry). */
export function controllerUserName(): string {
  return (user ??= userInfo().username);
}

export function controllerHostName(): string {
  return (host ??= hostname());
}
