// --tags / --skip-tags with Ansible's semantics (ansible/playbook/taggable.py):
// `always` runs unless skipped by name, `never` runs only when asked for by name,
// `tagged` / `untagged` select by whether a task has tags, `all` is everything but
// `never`. A task without tags is tagged `untagged`. Pure.

export interface TagFilter {
  /** --tags; default ['all']. */
  only: readonly string[];
  /** --skip-tags; default []. */
  skip: readonly string[];
}

export const ALL_TAGS: TagFilter = { only: ['all'], skip: [] };

/** Option values as given (repeatable, each may hold commas) → tag names. */
export function parseTagOption(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((t) => t.trim()).filter((t) => t !== '');
}

export function tagFilter(only: readonly string[] | undefined, skip: readonly string[] | undefined): TagFilter {
  const o = parseTagOption(only);
  return { only: o.length ? o : ['all'], skip: parseTagOption(skip) };
}

export function shouldRunTags(taskTags: readonly string[], filter: TagFilter): boolean {
  const untagged = taskTags.length === 0;
  const tags = new Set(untagged ? ['untagged'] : taskTags);
  const only = new Set(filter.only);
  const skip = new Set(filter.skip);
  const meets = (set: Set<string>): boolean => [...tags].some((t) => set.has(t));

  let run = true;
  if (only.size > 0) {
    if (tags.has('always')) run = true;
    else if (only.has('all') && !tags.has('never')) run = true;
    else if (meets(only)) run = true;
    else run = only.has('tagged') && !untagged && !tags.has('never');
  }
  if (run && skip.size > 0) {
    if (skip.has('all')) {
      if (!tags.has('always') || skip.has('always')) run = false;
    } else if (meets(skip)) {
      run = false;
    } else if (skip.has('tagged') && !untagged) {
      run = false;
    }
  }
  return run;
}
