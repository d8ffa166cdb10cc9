// argv → options → command; errors → exit codes (SPEC 2). The only process.exit.
import { setMaxListeners } from 'node:events';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { EXIT, KvmplayError, OptionsError, ValidationError } from '../errors.js';
import { ValidationErrors } from '../playbook/problems.js';
import { collect, positiveInt, positiveSeconds, shardOption } from './options.js';
import { resolveShard, type Shard } from './shard.js';
import { addConnectionOptions, settleSettings, type ConnectionFlags } from './connection-options.js';
import { resolveLimit } from './limit.js';
import { askLine, requireTerminal, defaultTerminal } from './prompt.js';
import { StepConfirmer } from '../exec/step.js';
import { inventorySources } from './settings.js';
import { ansibleSettings, settingPath } from '../playbook/ansible-config.js';
import { asksVersion, versionText } from './version.js';
import { addVaultOptions, setupVault } from '../vault/options.js';

// Each command's code is imported only when it runs: `validate` then never loads
// ssh2, listr2 or the lab, which keeps it fast on large playbook sets.
const commands = {
  exec: () => import('./commands/exec.js'),
  inventory: () => import('./commands/inventory.js'),
  lab: () => import('./commands/lab.js'),
  ping: () => import('./commands/ping.js'),
  recap: () => import('./commands/recap.js'),
  run: () => import('./commands/run.js'),
  validate: () => import('./commands/validate.js'),
  docs: () => import('./commands/docs.js'),
};

const interrupt = new AbortController();
// Every running command on every host listens for Ctrl-C on this one signal.
setMaxListeners(0, interrupt.signal);
const io = { out: process.stdout, err: process.stderr, signal: interrupt.signal };

interface AdhocFlags extends ConnectionFlags {
  limit?: string;
  json?: boolean;
  /** How many -v (commander counts them). */
  verbose?: number;
  listHosts?: boolean;
  stepTimeout?: number;
  shard?: Shard;
}

const LIMIT_HELP = 'host pattern (names, groups, globs, a:b, a:&b, a:!b; @FILE: the hosts in FILE, one a line)';
const INVENTORY_HELP = 'inventory file or folder (repeatable; default: ANSIBLE_INVENTORY, else inventory = in ansible.cfg)';
const countVerbose = (_v: string, n: number): number => n + 1;

function adhocOptions(cmd: Command): Command {
  return addConnectionOptions(cmd
    .option('-i, --inventory <path>', INVENTORY_HELP, collect, [])
    .option('-l, --limit <pattern>', LIMIT_HELP)
    .option('--json', 'newline-delimited JSON events, then the recap as the last line')
    .option('--list-hosts', 'print the matching hosts; connect to none')
    .option('--shard <K/N>', 'only shard K of N of the matching hosts (as run --shard; also KVMPLAY_SHARD…)', shardOption)
    .option('-v, --verbose', 'more output (repeatable: -vvv)', countVerbose, 0));
}

async function adhoc(flags: AdhocFlags) {
  const shard = resolveShard(flags.shard);
  return {
    ...(shard ? { shard } : {}),
    limit: resolveLimit(flags.limit),
    json: Boolean(flags.json),
    verbose: Number(flags.verbose ?? 0) > 0,
    verbosity: Number(flags.verbose ?? 0),
    listHosts: Boolean(flags.listHosts),
    settings: await settleSettings(flags, { ask: !flags.listHosts }),
  };
}

interface RunFlags extends ConnectionFlags {
  limit?: string;
  listHosts?: boolean;
  listTasks?: boolean;
  listTags?: boolean;
  startAtTask?: string;
  step?: boolean;
  syntaxCheck?: boolean;
  tags: string[];
  skipTags: string[];
  extraVars: string[];
  check?: boolean;
  diff?: boolean;
  json?: boolean;
  timings?: boolean;
  stepTimeout?: number;
  /** How many -v (commander counts them). */
  verbose?: number;
  strict?: boolean;
  shard?: Shard;
}

const STRICT_HELP = 'duplicate YAML keys are errors (exit 4), not warnings';
const SHARD_HELP = 'only shard K of N (1 <= K <= N) of the hosts every play would run on (after --limit): '
  + 'hosts sorted by the SHA-1 of their name, the i-th (from 0) to shard (i mod N)+1; '
  + 'join the shards\' --json with `kvmplay recap merge` (default: KVMPLAY_SHARD=K/N, else '
  + 'shard JOB_COMPLETION_INDEX+1 of KVMPLAY_SHARDS=N, as a Kubernetes Indexed Job sets them)';

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('kvmplay')
    .description('Ansible-style task runner over SSH for KVM hypervisor fleets')
    // Answered before commander parses anything (main): here for --help only.
    .option('--version', 'print the version and the ansible.cfg in force, then exit (any command takes it)')
    .showHelpAfterError()
    .exitOverride();

  adhocOptions(program.command('ping').description('connect, authenticate and run `true` on each host: ping [PATTERN] -i INV'))
    .argument('[pattern]', 'the hosts, as `ansible PATTERN -m ping` (default all; --limit narrows it)')
    .action(async (pattern: string | undefined, flags: AdhocFlags) =>
      setExit(await (await commands.ping()).pingCommand({ ...(await adhoc(flags)), pattern }, io)));

  adhocOptions(program.command('exec').description('run an ad-hoc shell command on each host: exec -i INV -- CMD'))
    .argument('<command...>', 'the command (after --)')
    .option('--step-timeout <seconds>', 'end the command on a host after this long', positiveSeconds)
    .action(async (command: string[], flags: AdhocFlags) =>
      setExit(await (await commands.exec()).execCommand({ ...(await adhoc(flags)), command: command.join(' '), stepTimeout: flags.stepTimeout }, io)));

  addConnectionOptions(program
    .command('run')
    .description('run playbooks on the hosts of an inventory')
    .argument('<playbook...>', 'playbook files, run in order')
    .option('-i, --inventory <path>', INVENTORY_HELP, collect, [])
    .option('-l, --limit <pattern>', `only these hosts: ${LIMIT_HELP}`)
    .option('-t, --tags <tags>', 'only tasks with these tags (comma-separated, repeatable)', collect, [])
    .option('--skip-tags <tags>', 'skip tasks with these tags (comma-separated, repeatable)', collect, [])
    .option('-e, --extra-vars <vars>', 'key=value, @file.yaml or a YAML/JSON map (repeatable, highest precedence)', collect, [])
    .option('-C, --check', 'report what would change, change nothing')
    .option('-D, --diff', 'show the differences in files and XML')
    .option('--json', 'newline-delimited JSON task events, then the recap as the last line')
    .option('--timings', 'after the recap: each task\'s time, slowest first, and each host\'s (like profile_tasks); on standard error with --json')
    .option('--step-timeout <seconds>', 'end a task on a host after this long (a task\'s own timeout wins)', positiveSeconds)
    .option('-v, --verbose', 'print the output of every task (-vv…: also debug tasks with that verbosity)', countVerbose, 0)
    .option('--strict', STRICT_HELP)
    .option('--list-hosts', 'print the hosts of each play; run nothing')
    .option('--list-tasks', 'print the tasks each play would run (after --tags); run nothing')
    .option('--list-tags', 'print the tags of each play\'s tasks; run nothing')
    .option('--start-at-task <name>', 'leave out every task before the first one of this name (or glob)')
    .option('--step', 'ask before each task: (N)o/(y)es/(c)ontinue, once per task for all hosts (a terminal is needed)')
    .option('--shard <K/N>', SHARD_HELP, shardOption)
    .option('--syntax-check', 'check the playbooks as `validate` does (exit 4 on errors); run nothing'))
    .action(async (playbooks: string[], flags: RunFlags) => {
      if (flags.syntaxCheck) {
        setExit(await (await commands.validate()).validateCommand({
          playbooks, inventory: inventorySources(flags.inventory), limit: resolveLimit(flags.limit), extraVars: flags.extraVars, strict: Boolean(flags.strict),
        }, io));
        return;
      }
      // Before any password prompt: a bad KVMPLAY_SHARD* is an options error (exit 5).
      const shard = resolveShard(flags.shard);
      const list = { hosts: Boolean(flags.listHosts), tasks: Boolean(flags.listTasks), tags: Boolean(flags.listTags) };
      const listing = list.hosts || list.tasks || list.tags;
      if (flags.step && !listing) requireTerminal(defaultTerminal(), '--step', 'a confirmation before each task', 'leave --step out');
      const step = flags.step && !listing ? new StepConfirmer((q) => askLine(defaultTerminal(), q)) : undefined;
      setExit(await (await commands.run()).runCommand({
        playbooks,
        settings: await settleSettings(flags, { ask: !listing }),
        list,
        startAtTask: flags.startAtTask,
        limit: resolveLimit(flags.limit),
        tags: flags.tags,
        skipTags: flags.skipTags,
        extraVars: flags.extraVars,
        check: Boolean(flags.check),
        diff: Boolean(flags.diff),
        json: Boolean(flags.json),
        timings: Boolean(flags.timings),
        verbose: Number(flags.verbose ?? 0) > 0,
        verbosity: Number(flags.verbose ?? 0),
        stepTimeout: flags.stepTimeout,
        strict: Boolean(flags.strict),
        ...(shard ? { shard } : {}),
        ...(step ? { step } : {}),
      }, io));
    });

  program
    .command('validate')
    .description('load and check playbooks, templates and variables; no SSH')
    .argument('<playbook...>', 'playbook files')
    .option('-i, --inventory <path>', 'inventory to check variables against (repeatable; default: ANSIBLE_INVENTORY, else ansible.cfg\'s)', collect, [])
    .option('-l, --limit <pattern>', `only these hosts' connection settings must be usable: ${LIMIT_HELP}`)
    .option('-e, --extra-vars <vars>', 'key=value, @file.yaml or a YAML/JSON map (repeatable)', collect, [])
    .option('--strict', STRICT_HELP)
    .action(async (playbooks: string[], flags: { inventory: string[]; limit?: string; extraVars: string[]; strict?: boolean }) =>
      setExit(await (await commands.validate()).validateCommand({
        playbooks, inventory: inventorySources(flags.inventory), limit: resolveLimit(flags.limit), extraVars: flags.extraVars, strict: Boolean(flags.strict),
      }, io)));

  program
    .command('inventory')
    .description('show resolved groups and variables')
    .option('-i, --inventory <path>', INVENTORY_HELP, collect, [])
    .option('-l, --limit <pattern>', `only these hosts: ${LIMIT_HELP}`)
    .addOption(new Option('--graph', 'the group tree').conflicts(['host', 'list']))
    .addOption(new Option('--host <name>', "one host's resolved variables as JSON").conflicts('list'))
    .option('--list', 'every group and host as JSON (default)')
    .option('--libvirt [file]', 'only the libvirt guests of the hosts --limit matches (or of a libvirt inventory source FILE), '
      + 'reached through their hypervisor: save --list to a .json file to use it as an inventory')
    .action(async (flags: { inventory: string[]; limit?: string; graph?: boolean; host?: string; list?: boolean; libvirt?: string | true }) =>
      setExit(await (await commands.inventory()).inventoryCommand(
        { ...flags, inventory: inventorySources(flags.inventory), limit: resolveLimit(flags.limit) }, io.out)));

  program
    .command('schema')
    .description('print the JSON Schema of playbooks and task files (for editors: see the README)')
    .action(async () => setExit(await (await commands.docs()).schemaCommand(io.out)));
  program
    .command('doc')
    .argument('[module]', 'a module name (short or fully qualified)')
    .description("a module's names and arguments, like ansible-doc; without a module, the list")
    .option('--markdown', 'every module as Markdown (the module reference, docs/modules.md)')
    .action(async (module: string | undefined, flags: { markdown?: boolean }) =>
      setExit(await (await commands.docs()).docCommand({ ...(module !== undefined ? { module } : {}), markdown: Boolean(flags.markdown) }, io.out)));
  program
    .command('completion')
    .argument('<shell>', 'bash, zsh or fish')
    .description('print a shell completion script: eval "$(kvmplay completion bash)"')
    .action(async (shell: string) => setExit((await commands.docs()).completionCommand(shell, program, io.out)));

  const recap = program.command('recap').description('the --json recaps of runs: merge the shards of one run (run --shard K/N)');
  recap
    .command('merge')
    .description('the --json outputs of the shards of one run as one recap (the last line of each), exiting as a single run with all their hosts would')
    .argument('<file...>', "each shard's --json output ('-': standard input)")
    .option('--human', 'print the PLAY RECAP table instead of the JSON line (rescued and ignored are not in --json: 0)')
    .addHelpText('after', `\n${RECAP_MERGE_HELP}\n`)
    .action(async (files: string[], flags: { human?: boolean }) =>
      setExit(await (await commands.recap()).recapMergeCommand({ files, human: Boolean(flags.human) }, { ...io, stdin: process.stdin })));

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
    .option('--guest-images', 'also build the Debian cloud-init guest image if the cache lacks it (see lab guest-image)')
    .action(async (flags: { hosts?: number; light?: boolean; systemd?: boolean | number; guestImages?: boolean }) =>
      setExit(await (await commands.lab()).labUp({ hosts: flags.hosts, light: Boolean(flags.light), systemd: flags.systemd ?? false, guestImages: Boolean(flags.guestImages) }, io.out)));
  lab
    .command('guest-image')
    .description('the Debian cloud-init guest image (raw ext4 disk, kernel, initrd), built on first use; prints its folder last')
    .action(async () => setExit(await (await commands.lab()).labGuestImage(io.out)));
  lab.command('down').description('remove everything lab up made').action(async () => setExit(await (await commands.lab()).labDown(io.out)));
  lab
    .command('status')
    .description('lab hosts and their state')
    .option('--json', 'machine-readable')
    .action(async (flags: { json?: boolean }) => setExit(await (await commands.lab()).labStatus({ json: Boolean(flags.json) }, io.out)));

  addHelpTexts(program);

  // Commands that read playbooks or inventories take vault passwords, read before they run.
  for (const cmd of program.commands) if (VAULT_COMMANDS.has(cmd.name())) addVaultOptions(cmd);
  program.hook('preAction', (_program, action) => (VAULT_COMMANDS.has(action.name()) ? setupVault(action.opts(), vaultEnvironment()) : undefined));
  return program;
}

const EXIT_CODES = `Exit codes (as ansible-playbook):
  0 ok, 1 error, 2 a host failed, 3 a host was unreachable (none failed),
  4 invalid input (nothing ran), 5 bad options, 99 interrupted (Ctrl-C)`;

const ENVIRONMENT = `Environment:
  ANSIBLE_CONFIG, ANSIBLE_INVENTORY, ANSIBLE_REMOTE_USER, ANSIBLE_PRIVATE_KEY_FILE,
  ANSIBLE_FORKS, ANSIBLE_TIMEOUT, ANSIBLE_HOST_KEY_CHECKING, ANSIBLE_BECOME*,
  ANSIBLE_ROLES_PATH, ANSIBLE_VAULT_PASSWORD_FILE  as Ansible reads them (above ansible.cfg)
  NO_COLOR / FORCE_COLOR                            colours off / on
  ~/.ssh/config                                     host aliases, users, keys, ProxyJump
  KVMPLAY_SHARD=K/N                                 run --shard K/N when --shard is not given
  KVMPLAY_SHARDS=N + JOB_COMPLETION_INDEX=i         shard i+1 of N (a Kubernetes Indexed Job)`;

const EXAMPLES: Record<string, string> = {
  run: `Examples:
  kvmplay run site.yml -i hosts.yml
  kvmplay run site.yml --check --diff --limit web01
  kvmplay run site.yml -t libvirt -e vm_count=3 --json | tail -n 1
  kvmplay run site.yml -K --vault-password-file ~/.vault-pass --timings
  kvmplay run site.yml --shard 2/4 --json > shard-2.json   # one of 4 machines; then:
  kvmplay recap merge shard-*.json`,
  ping: `Examples:
  kvmplay ping all -i hosts.yml
  kvmplay ping 'hypervisors:!lab03' -u admin --private-key ~/.ssh/id_ed25519`,
  exec: `Examples:
  kvmplay exec -i hosts.yml -- uname -r
  kvmplay exec -i hosts.yml --limit web01 -b --json -- systemctl is-active libvirtd`,
  validate: `Examples:
  kvmplay validate site.yml -i hosts.yml     # also the variables the inventory gives
  kvmplay validate site.yml roles/*/tasks/main.yml`,
  inventory: `Examples:
  kvmplay inventory -i hosts.yml --graph
  kvmplay inventory -i hosts.yml --host web01
  kvmplay inventory -i hosts.yml -i guests.libvirt.yml --graph   # with the guests of a libvirt source
  kvmplay inventory -i hosts.yml --libvirt --limit hv01 > guests.json`,
  doc: `Examples:
  kvmplay doc
  kvmplay doc community.libvirt.virt`,
};

const RECAP_MERGE_HELP = `Examples:
  kvmplay recap merge shard-1.json shard-2.json shard-3.json shard-4.json
  kvmplay run site.yml --shard 4/4 --json | kvmplay recap merge shard-[1-3].json -

Host counts are joined (a host in two files is an error: the shards overlap), ok is
true when every shard's is, duration_ms is the slowest shard's.

Exit codes: as the single run: 0 ok, 2 a host failed, 3 a host was unreachable
  (none failed); a shard that stopped before any host: its exit code (4, 5, 1);
  4 a file without a recap as its last line, unreadable, or hosts in two files;
  5 bad options`;

/** Every command's --help ends with its examples, and the program's with exit codes and the environment. */
function addHelpTexts(program: Command): void {
  program.addHelpText('after', `\n${EXIT_CODES}\n\n${ENVIRONMENT}\n`);
  for (const cmd of program.commands) {
    const examples = EXAMPLES[cmd.name()];
    const connects = ['run', 'ping', 'exec'].includes(cmd.name());
    const parts = [examples, connects ? EXIT_CODES : undefined].filter((p): p is string => p !== undefined);
    if (parts.length > 0) cmd.addHelpText('after', `\n${parts.join('\n\n')}\n`);
  }
}

/**
 * The vault settings as Ansible takes them: ANSIBLE_VAULT_PASSWORD_FILE and
 * ANSIBLE_VAULT_IDENTITY_LIST, else vault_password_file and vault_identity_list of the
 * ansible.cfg in force (a relative file from the config's folder).
 */
function vaultEnvironment(): NodeJS.ProcessEnv {
  const { values } = ansibleSettings();
  const file = values.vaultPasswordFile;
  return {
    ...process.env,
    ...(file ? { ANSIBLE_VAULT_PASSWORD_FILE: settingPath(file.value, file.baseDir) } : {}),
    ...(values.vaultIdentityList ? { ANSIBLE_VAULT_IDENTITY_LIST: values.vaultIdentityList.value } : {}),
  };
}

const VAULT_COMMANDS = new Set(['run', 'validate', 'inventory', 'exec', 'ping']);

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
  if (asksVersion(argv.slice(2))) {
    process.stdout.write(versionText());
    exitWhenFlushed(EXIT.ok);
    return;
  }
  const started = Date.now();
  try {
    await buildProgram((c) => (code = c)).parseAsync(argv);
  } catch (err) {
    code = reportError(err);
    // Validation and option errors come before any host: nothing is on stdout yet.
    if (err instanceof KvmplayError && (code === EXIT.validation || code === EXIT.options) && wantsJson(argv.slice(2))) process.stdout.write(jsonErrorLines(err, started));
  }
  if (interrupt.signal.aborted) code = EXIT.interrupted;
  exitWhenFlushed(code);
}

/** `--json` among the options (not after `--`, where an ad-hoc command's own words are). */
function wantsJson(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).includes('--json');
}

/**
 * A run that stops before any host (exit 4, 5, …) still speaks JSON under `--json`: an
 * error event per problem (validation problems with their file, line and column), then
 * the recap object as the last line, with no hosts and ok false.
 */
function jsonErrorLines(err: KvmplayError, started: number): string {
  const problems = err instanceof ValidationErrors ? err.problems.map((p) => ({ ...p.pos, msg: p.detail }))
    : err instanceof ValidationError ? [{ file: err.file, line: err.line, col: err.col, msg: err.detail }] : [{ msg: err.message }];
  const kind = err instanceof ValidationError ? 'validation' : err instanceof OptionsError ? 'options' : 'error';
  const events = problems.map((p) => JSON.stringify({ event: 'error', kind, exit: err.exitCode, ...p }));
  return [...events, JSON.stringify({ ok: false, hosts: {}, duration_ms: Date.now() - started })].join('\n') + '\n';
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

void main(process.argv);
