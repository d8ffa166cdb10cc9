// Playbooks (SPEC 4): loaded and validated before the first SSH connection, into the
// typed model the runner executes. Pure except for reading files.
export { loadPlaybooks, findProjectDir, type LoadOptions } from './validate.js';
export type { BecomeMethod, IncludedTasks, IncludeSpec, LoadedRun, Play, Playbook, SerialStep, Step, Task, VarsFileRef } from './model.js';
export type { ModuleLookup } from './task-module.js';
export { ValidationErrors, type Problem } from './problems.js';
export { validateModuleArgs, checkModuleArgs, argumentNames, isTemplated, type ArgIssue, type ArgsResult, type ModuleSchema } from './module-args.js';
export { parseExtraVars } from './extra-vars.js';
export { localCandidates, resolveLocalSource, type LocalDirs } from './local-files.js';
export { compileTemplateFile, readTemplateSource, renderTemplateFile, isHandlebarsFile, type TemplateFile } from './template-file.js';
export { MAGIC_VARIABLES } from './variables.js';

