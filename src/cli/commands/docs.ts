// `kvmplay schema`, `kvmplay doc [MODULE]` and `kvmplay completion SHELL`: what editors,
// shells and people read about kvmplay, all made from the code itself (the modules'
// argument schemas, the playbook keywords, commander's own command tree).
import type { Command } from 'commander';
import { OptionsError } from '../../errors.js';
import { formatModuleDoc, moduleDoc, modulesMarkdown } from '../../modules/module-doc.js';
import { allModules, loadModule, moduleNames } from '../../modules/registry.js';
import { MODULE_SUMMARIES } from '../../modules/summaries.js';
import { playbookJsonSchema } from '../../playbook/json-schema.js';
import { closest } from '../../playbook/suggest.js';

type Out = NodeJS.WritableStream;

export async function schemaCommand(out: Out): Promise<number> {
  out.write(JSON.stringify(playbookJsonSchema(await allModules())) + '\n');
  return 0;
}

export async function docCommand(o: { module?: string; markdown?: boolean }, out: Out): Promise<number> {
  if (o.markdown) {
    out.write(modulesMarkdown(await allModules()));
    return 0;
  }
  if (o.module === undefined) {
    const names = moduleNames();
    const width = Math.max(...names.map((n) => n.length));
    out.write(names.map((n) => `${n.padEnd(width)}  ${MODULE_SUMMARIES[n] ?? ''}`).join('\n') + '\n');
    return 0;
  }
  const mod = await loadModule(o.module);
  if (!mod) {
    const hint = closest(o.module, moduleNames());
    throw new OptionsError(`no module "${o.module}"${hint ? ` (did you mean "${hint}"?)` : ''}: kvmplay doc lists them`);
  }
  out.write(formatModuleDoc(moduleDoc(mod)));
  return 0;
}

interface CommandWords { name: string; options: string[]; subcommands: string[] }

function commandWords(program: Command): CommandWords[] {
  const words = (c: Command): string[] => c.options.flatMap((o) => [o.short, o.long].filter((f): f is string => Boolean(f)));
  const all: CommandWords[] = [];
  for (const c of program.commands) {
    all.push({ name: c.name(), options: [...words(c), '--help'], subcommands: c.commands.map((s) => s.name()) });
    for (const s of c.commands) all.push({ name: `${c.name()} ${s.name()}`, options: [...words(s), '--help'], subcommands: [] });
  }
  return all;
}

/** A completion script for bash, zsh (through bashcompinit) or fish: commands, their options, module names for `doc`. */
export function completionCommand(shell: string, program: Command, out: Out): number {
  const cmds = commandWords(program);
  const top = program.commands.map((c) => c.name());
  const modules = moduleNames();
  switch (shell) {
    case 'bash':
    case 'zsh': {
      // Per command: its subcommands (or module names) and its options; a word that is
      // not an option completes to a subcommand where there are some, else to a file.
      const entry = (name: string, subs: string[], opts: string[]): string => `    "${name}") subs="${subs.join(' ')}"; opts="${opts.join(' ')}" ;;`;
      const cases = cmds.map((c) => (c.name === 'doc' ? entry(c.name, modules, c.options) : entry(c.name, c.subcommands, c.options))).join('\n');
      out.write([
        '# kvmplay completion (bash; zsh: autoload -U +X bashcompinit && bashcompinit first)',
        '_kvmplay() {',
        '  local cur="${COMP_WORDS[COMP_CWORD]}" cmd="${COMP_WORDS[1]}" subs="" opts=""',
        '  if [ "$COMP_CWORD" -eq 1 ]; then subs="' + top.join(' ') + '"; opts="--help --version"',
        '  else',
        '    [ "$COMP_CWORD" -gt 2 ] && [ -n "${COMP_WORDS[2]}" ] && [ "${COMP_WORDS[2]#-}" = "${COMP_WORDS[2]}" ] && cmd="$cmd ${COMP_WORDS[2]}"',
        '    case "$cmd" in',
        cases,
        '    esac',
        '  fi',
        '  case "$cur" in',
        '    -*) COMPREPLY=($(compgen -W "$opts" -- "$cur")) ;;',
        '    *) if [ -n "$subs" ]; then COMPREPLY=($(compgen -W "$subs" -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi ;;',
        '  esac',
        '}',
        'complete -o default -F _kvmplay kvmplay',
        '',
      ].join('\n'));
      return 0;
    }
    case 'fish': {
      const lines = ['# kvmplay completion (fish)', 'complete -c kvmplay -f'];
      for (const name of top) lines.push(`complete -c kvmplay -n __fish_use_subcommand -a ${name}`);
      for (const c of cmds.filter((x) => !x.name.includes(' '))) {
        for (const o of c.options.filter((x) => x.startsWith('--'))) lines.push(`complete -c kvmplay -n "__fish_seen_subcommand_from ${c.name}" -l ${o.slice(2)}`);
        for (const s of c.subcommands) lines.push(`complete -c kvmplay -n "__fish_seen_subcommand_from ${c.name}" -a ${s}`);
      }
      lines.push(`complete -c kvmplay -n "__fish_seen_subcommand_from doc" -a "${modules.join(' ')}"`);
      lines.push(`complete -c kvmplay -n "__fish_seen_subcommand_from run validate" -F`);
      out.write(lines.join('\n') + '\n');
      return 0;
    }
    default:
      throw new OptionsError(`completion for "${shell}": kvmplay knows bash, zsh and fish`);
  }
}
