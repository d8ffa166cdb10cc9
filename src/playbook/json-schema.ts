// A JSON Schema (draft 2020-12) of what kvmplay reads as a playbook or a task file
// (role tasks and handlers too), for editors (yaml-language-server) and other tools:
// plays, blocks, imports and one task alternative per module name, whose arguments
// are that module's own zod schema converted by zod itself. It is looser than kvmplay's
// validator on purpose: any value may be a Jinja template ("{{ … }}"), and variables
// are not known here. A mistake it catches is an unknown key or a wrong literal type.
import { z } from 'zod';
import { writtenNames, type AnyModule } from '../modules/registry.js';
import { PLAY_KEYWORDS, TASK_KEYWORDS } from './keywords.js';
import { PlayKeywords, TaskKeywords } from './schema.js';

type Json = Record<string, unknown>;

const TEMPLATE: Json = { type: 'string', pattern: '\\{\\{|\\{%' };
const ref = (name: string): Json => ({ $ref: `#/$defs/${name}` });

function converted(schema: z.ZodType): Json {
  const j = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  delete j['$schema'];
  return j;
}

/** Each property of an object schema also takes a template. */
function templatable(object: Json): Json {
  const props = (object['properties'] ?? {}) as Record<string, Json>;
  return { ...object, properties: Object.fromEntries(Object.entries(props).map(([k, v]) => [k, { anyOf: [v, TEMPLATE] }])) };
}

/** The keys of a task besides its module: the task keywords and `with_<lookup>` loops. */
function taskKeywordProperties(): Record<string, Json> {
  const keywords = (templatable(converted(TaskKeywords))['properties'] ?? {}) as Record<string, Json>;
  return Object.fromEntries(TASK_KEYWORDS.map((k) => [k, keywords[k] ?? {}]));
}

function moduleDefs(modules: readonly AnyModule[]): { defs: Record<string, Json>; alternatives: Json[] } {
  const defs: Record<string, Json> = {};
  const alternatives: Json[] = [];
  for (const mod of modules) {
    const argsName = `args_${mod.name}`;
    // Every module also takes Ansible's key=value free form (and its free-form argument).
    defs[argsName] = { anyOf: [templatable(converted(mod.args)), { type: 'string' }, { type: 'null' }] };
    for (const name of mod.names.flatMap(writtenNames)) {
      alternatives.push({
        type: 'object',
        required: [name],
        properties: { [name]: ref(argsName) },
        description: `task with ${name}`,
      });
    }
  }
  // Read by the task list itself rather than run as modules.
  const imports: Record<string, Json> = {
    import_tasks: { anyOf: [{ type: 'string' }, { type: 'object', properties: { file: { type: 'string' } }, required: ['file'], additionalProperties: false }] },
    import_role: {
      type: 'object', required: ['name'], additionalProperties: false,
      properties: Object.fromEntries(['name', 'tasks_from', 'vars_from', 'defaults_from', 'handlers_from', 'allow_duplicates', 'public', 'rolespec_validate'].map((k) => [k, {}])),
    },
  };
  for (const [key, schema] of Object.entries(imports)) {
    defs[`args_${key}`] = schema;
    for (const name of writtenNames(key)) {
      alternatives.push({ type: 'object', required: [name], properties: { [name]: ref(`args_${key}`) }, description: `task with ${name}` });
    }
  }
  return { defs, alternatives };
}

export function playbookJsonSchema(modules: readonly AnyModule[]): Json {
  const { defs, alternatives } = moduleDefs(modules);
  const keywordProps = taskKeywordProperties();
  const taskKeys = { ...keywordProps, action: {}, local_action: {} };
  const moduleNames = alternatives.map((a) => (a['required'] as string[])[0] ?? '');
  const listOf = (item: string): Json => ({ anyOf: [{ type: 'array', items: ref(item) }, { type: 'null' }] });
  const playKeywords = templatable(converted(PlayKeywords));
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://kvmplay.invalid/schema/playbook.json',
    title: 'kvmplay playbook or task file',
    description: 'A list of plays (a playbook) or of tasks and blocks (a task file, role tasks or handlers).',
    type: 'array',
    items: { anyOf: [ref('play'), ref('import_playbook'), ref('task_or_block')] },
    $defs: {
      ...defs,
      play: {
        ...playKeywords,
        required: ['hosts'],
        properties: {
          ...(playKeywords['properties'] as Json),
          tasks: listOf('task_or_block'), pre_tasks: listOf('task_or_block'), post_tasks: listOf('task_or_block'), handlers: listOf('task_or_block'),
        },
        propertyNames: { enum: [...PLAY_KEYWORDS] },
      },
      import_playbook: {
        type: 'object', required: ['import_playbook'],
        properties: { import_playbook: { type: 'string' }, name: {}, when: {}, vars: {}, tags: {} },
        additionalProperties: false,
      },
      task_or_block: { anyOf: [ref('block'), ref('task')] },
      block: {
        type: 'object', required: ['block'],
        properties: { ...keywordProps, block: listOf('task_or_block'), rescue: listOf('task_or_block'), always: listOf('task_or_block') },
        additionalProperties: false,
      },
      task: {
        type: 'object',
        // Exactly the task keywords, `with_<lookup>`, and one module (or action/local_action).
        properties: taskKeys,
        patternProperties: { '^with_[a-z_]+$': {} },
        propertyNames: { anyOf: [{ enum: [...Object.keys(taskKeys), ...moduleNames] }, { pattern: '^with_[a-z_]+$' }] },
        anyOf: [...alternatives, { required: ['action'] }, { required: ['local_action'] }],
      },
    },
  };
}
