// argv → options → command; errors → exit codes (SPEC 2). The only process.exit.
import { setMaxListeners } from 'node:events';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { EXIT, KvmplayError } from '../errors.js';
import { collect, positiveInt, positiveSeconds } from './options.js';

// Each command's code is imported only when it runs: `validate` then never loads
// ssh2, listr2 or the lab, which keeps it fast on large playbook sets.
const commands = {
  exec: () => import('./commands/exec.js'),
  inventory: () => import('./commands/inventory.js'),
  lab: () => import('./commands/lab.js'),
  ping: () => import('./commands/ping.js'),
  run: () => import('./commands/run.js'),
  validate: () => import('./commands/validate.js'),
};

const interrupt = new AbortController();
// Every running command on every host listens for Ctrl-C on this one signal.
setMaxListeners(0, interrupt.signal);
const io = { out: process.stdout, err: process.stderr, signal: interrupt.signal };

interface AdhocFlags {
  inventory?: string[];
  limit?: string;
  forks: number;
  json?: boolean;
  verbose?: boolean;
  acceptNewHostKeys?: boolean;
  become?: boolean;
  stepTimeout?: number;
}

function adhocOptions(cmd: Command): Command {
  return cmd
    .option('-i, --inventory <path>', 'inventory file or folder (repeatable)', collect, [])
    .option('-l, --limit <pattern>', 'host pattern (names, groups, globs, a:b, a:&b, a:!b)')
    .option('-f, --forks <n>', 'hosts in parallel', positiveInt('--forks'), 50)
    .option('--json', 'newline-delimited JSON events, then the recap as the last line')
    .option('--accept-new-host-keys', 'record first-seen host keys (never changed ones)')
    .option('-b, --become', 'run through sudo (password from become_password)')
    .option('-v, --verbose', 'more output');
}

function adhoc(flags: AdhocFlags) {
  return {
    inventory: flags.inventory ?? [],
    limit: flags.limit,
    forks: flags.forks,
    json: Boolean(flags.json),
    verbose: Boolean(flags.verbose),
    acceptNewHostKeys: Boolean(flags.acceptNewHostKeys),
    become: Boolean(flags.become),
  };
}

interface RunFlags {
  inventory: string[];
  limit?: string;
  tags: string[];
  skipTags: string[];
  extraVars: string[];
  check?: boolean;
  diff?: boolean;
  forks: number;
  json?: boolean;
  stepTimeout?: number;
  acceptNewHostKeys?: boolean;
  /** How many -v (commander counts them). */
  verbose?: number;
  strict?: boolean;
}

const STRICT_HELP = 'duplicate YAML keys are errors (exit 4), not warnings';

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('kvmplay')
    .description('Ansible-style task runner over SSH for KVM hypervisor fleets')
    .showHelpAfterError()
    .exitOverride();

  adhocOptions(program.command('ping').description('connect, authenticate and run `true` on each host'))
    .action(async (flags: AdhocFlags) => setExit(await (await commands.ping()).pingCommand(adhoc(flags), io)));

  adhocOptions(program.command('exec').description('run an ad-hoc shell command on each host: exec -i INV -- CMD'))
    .argument('<command...>', 'the command (after --)')
    .option('--step-timeout <seconds>', 'end the command on a host after this long', positiveSeconds)
    .action(async (command: string[], flags: AdhocFlags) =>
      setExit(await (await commands.exec()).execCommand({ ...adhoc(flags), command: command.join(' '), stepTimeout: flags.stepTimeout }, io)));

  program
    .command('run')
    .description('run playbooks on the hosts of an inventory')
    .argument('<playbook...>', 'playbook files, run in order')
    .option('-i, --inventory <path>', 'inventory file or folder (repeatable)', collect, [])
    .option('-l, --limit <pattern>', 'only these hosts (names, groups, globs, a:b, a:&b, a:!b)')
    .option('-t, --tags <tags>', 'only tasks with these tags (comma-separated, repeatable)', collect, [])
    .option('--skip-tags <tags>', 'skip tasks with these tags (comma-separated, repeatable)', collect, [])
    .option('-e, --extra-vars <vars>', 'key=value, @file.yaml or a YAML/JSON map (repeatable, highest precedence)', collect, [])
    .option('-C, --check', 'report what would change, change nothing')
    .option('-D, --diff', 'show the differences in files and XML')
    .option('-f, --forks <n>', 'hosts in parallel', positiveInt('--forks'), 50)
    .option('--json', 'newline-delimited JSON task events, then the recap as the last line')
    .option('--step-timeout <seconds>', 'end a task on a host after this long (a task\'s own timeout wins)', positiveSeconds)
    .option('--accept-new-host-keys', 'record first-seen host keys (never changed ones)')
    .option('-v, --verbose', 'print the output of every task (-vv…: also debug tasks with that verbosity)', (_v: string, n: number) => n + 1, 0)
    .option('--strict', STRICT_HELP)
    .action(async (playbooks: string[], flags: RunFlags) =>
      setExit(await (await commands.run()).runCommand({
        playbooks,
        inventory: flags.inventory,
        limit: flags.limit,
        tags: flags.tags,
        skipTags: flags.skipTags,
        extraVars: flags.extraVars,
        check: Boolean(flags.check),
        diff: Boolean(flags.diff),
        forks: flags.forks,
        json: Boolean(flags.json),
        verbose: Number(flags.verbose ?? 0) > 0,
        verbosity: Number(flags.verbose ?? 0),
        acceptNewHostKeys: Boolean(flags.acceptNewHostKeys),
        stepTimeout: flags.stepTimeout,
        strict: Boolean(flags.strict),
      }, io)));

  program
    .command('validate')
    .description('load and check playbooks, templates and variables; no SSH')
    .argument('<playbook...>', 'playbook files')
    .option('-i, --inventory <path>', 'inventory to check variables against (repeatable)', collect, [])
    .option('-e, --extra-vars <vars>', 'key=value, @file.yaml or a YAML/JSON map (repeatable)', collect, [])
    .option('--strict', STRICT_HELP)
    .action(async (playbooks: string[], flags: { inventory: string[]; extraVars: string[]; strict?: boolean }) =>
      setExit(await (await commands.validate()).validateCommand(
        { playbooks, inventory: flags.inventory, extraVars: flags.extraVars, strict: Boolean(flags.strict) }, io)));

  program
    .command('inventory')
    .description('show resolved groups and variables')
    .option('-i, --inventory <path>', 'inventory file or folder (repeatable)', collect, [])
    .addOption(new Option('--graph', 'the group tree').conflicts(['host', 'list']))
    .addOption(new Option('--host <name>', "one host's resolved variables as JSON").conflicts('list'))
    .option('--list', 'every group and host as JSON (default)')
    .action(async (flags: { inventory: string[]; graph?: boolean; host?: string; list?: boolean }) =>
      setExit(await (await commands.inventory()).inventoryCommand(flags, io.out)));

  const lab = program.command('lab').description('the local lab of SSH hosts (network namespaces)');
  lab
    .command('up')
    .description('bring the lab up (or reuse it); prints the inventory path last')
    .option('--hosts <n>', 'number of hosts (default: the running lab\'s, else 3)', positiveInt('--hosts'))
    .addOption(new Option('--light', 'light hosts: sshd only, shared read-only root').conflicts('systemd'))
    .option('--systemd [n]', 'hosts with systemd as PID 1: all, or the last N of them', (v: string) => {
      if (!/^\d+$/.test(v)) throw new InvalidArgumentError('--systemd takes a whole number of hosts');
      return Number(v);
    })
    .action(async (flags: { hosts?: number; light?: boolean; systemd?: boolean | number }) =>
      setExit(await (await commands.lab()).labUp({ hosts: flags.hosts, light: Boolean(flags.light), systemd: flags.systemd ?? false }, io.out)));
  lab.command('down').description('remove everything lab up made').action(async () => setExit(await (await commands.lab()).labDown(io.out)));
  lab
    .command('status')
    .description('lab hosts and their state')
    .option('--json', 'machine-readable')
    .action(async (flags: { json?: boolean }) => setExit(await (await commands.lab()).labStatus({ json: Boolean(flags.json) }, io.out)));

  return program;
}

function exitWhenFlushed(code: number): void {
  // Exit only once stdout has drained, or a piped `--json` recap could be cut off.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

async function main(argv: string[]): Promise<void> {
  let code: number = EXIT.ok;
  process.once('SIGINT', () => {
    interrupt.abort();
    process.once('SIGINT', () => process.exit(EXIT.interrupted));
  });
  try {
    await buildProgram((c) => (code = c)).parseAsync(argv);
  } catch (err) {
    code = reportError(err);
  }
  if (interrupt.signal.aborted) code = EXIT.interrupted;
  exitWhenFlushed(code);
}

function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander already printed the message (and help); help/version are not errors.
    return err.exitCode === 0 ? EXIT.ok : EXIT.options;
  }
  if (err instanceof KvmplayError) {
    process.stderr.write(`kvmplay: ERROR: ${err.message}\n`);
    return err.exitCode;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  process.stderr.write(`kvmplay: internal error: ${e.stack ?? e.message}\n`);
  return EXIT.error;
}

await main(process.argv);
