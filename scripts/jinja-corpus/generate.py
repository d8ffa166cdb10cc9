#!/usr/bin/python3
"""Render the Jinja conformance corpus with ansible-core itself (issue 12, "Must show").

Reads cases.yaml (beside this script) and writes one JSON fixture per category to
test/fixtures/jinja-corpus/<category>.json. kvmplay's src/jinja/conformance.test.ts
renders the same cases with kvmplay's engine and must match byte for byte.

Each case renders the way Ansible renders it:
  mode 'value': Templar.template(template) -- how Ansible templates a variable or task
                argument string (a lone '{{ expr }}' may keep a native type);
  mode 'text':  the template module: a Templar copied with trim_blocks=True,
                lstrip_blocks=<case's lstrip_blocks, default False>, newline_sequence='\\n',
                then do_template(..., preserve_trailing_newlines=True, escape_backslashes=False).
Errors record only their kind (undefined / syntax / type), never Python's message.

cases.yaml: a mapping category -> {vars?: {...}, mode?: value|text, lstrip_blocks?: bool,
cases: [...]}; a case is either a template string (using the group's defaults) or a
mapping {template, name?, vars?, mode?, lstrip_blocks?}. A case's vars are merged over the
group's. Names default to '<category>-<n>'.
"""
import json
import os
import sys

import yaml
from jinja2.exceptions import TemplateSyntaxError, UndefinedError

from ansible.errors import AnsibleUndefinedVariable
from ansible.parsing.dataloader import DataLoader
from ansible.template import AnsibleEnvironment, Templar

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'jinja-corpus')


def error_kind(exc):
    """undefined / syntax / type, from the exception and the chain Ansible wraps it in."""
    seen = []
    e = exc
    while e is not None and e not in seen:
        seen.append(e)
        e = getattr(e, 'orig_exc', None) or e.__cause__ or e.__context__
    if any(isinstance(x, (AnsibleUndefinedVariable, UndefinedError)) for x in seen):
        return 'undefined'
    if any(isinstance(x, TemplateSyntaxError) for x in seen):
        return 'syntax'
    # Ansible reports an unknown filter/test as "template error while templating string:
    # No filter named 'x'" (a TemplateSyntaxError in Jinja, caught at compile time).
    msg = str(exc)
    if 'No filter named' in msg or 'No test named' in msg or 'TemplateSyntaxError' in msg:
        return 'syntax'
    return 'type'


def plain(v):
    """Ansible's results as JSON data: unsafe strings are str, tuples lists, sets sorted lists."""
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, (set, frozenset)):
        return sorted((plain(x) for x in v), key=repr)
    if isinstance(v, bool) or v is None or isinstance(v, (int, float)):
        return v
    if isinstance(v, str):
        return str(v)
    raise TypeError('cannot store a %s in a fixture' % type(v).__name__)


def render(case):
    loader = DataLoader()
    templar = Templar(loader=loader, variables=case['vars'])
    if case['mode'] == 'value':
        return plain(templar.template(case['template']))
    text_templar = templar.copy_with_new_env(
        environment_class=AnsibleEnvironment,
        newline_sequence='\n',
        trim_blocks=True,
        lstrip_blocks=case.get('lstrip_blocks', False),
        available_variables=case['vars'],
    )
    out = text_templar.do_template(case['template'], preserve_trailing_newlines=True, escape_backslashes=False)
    if not isinstance(out, str):
        raise TypeError('text mode rendered a %s' % type(out).__name__)
    return str(out)


def normalise(category, group):
    defaults_vars = group.get('vars') or {}
    mode = group.get('mode', 'value')
    lstrip = group.get('lstrip_blocks')
    out = []
    for n, raw in enumerate(group['cases'], 1):
        c = {'template': raw} if isinstance(raw, str) else dict(raw)
        case = {
            'name': c.get('name') or '%s-%d' % (category, n),
            'template': c['template'],
            'vars': {**defaults_vars, **(c.get('vars') or {})},
            'mode': c.get('mode', mode),
        }
        ls = c.get('lstrip_blocks', lstrip)
        if ls is not None:
            case['lstrip_blocks'] = bool(ls)
        out.append(case)
    return out


def main():
    with open(os.path.join(HERE, 'cases.yaml'), encoding='utf-8') as f:
        groups = yaml.safe_load(f)
    os.makedirs(OUT, exist_ok=True)
    total = 0
    counts = {'value': 0, 'text': 0, 'error': 0}
    names = set()
    for category, group in groups.items():
        fixtures = []
        for case in normalise(category, group):
            if case['name'] in names:
                sys.exit('duplicate case name %s' % case['name'])
            names.add(case['name'])
            try:
                result = render(case)
                expected = {'value': result} if case['mode'] == 'value' else {'text': result}
            except Exception as exc:  # any failure of Ansible is an expected error; only its kind is kept
                expected = {'error': error_kind(exc)}
            counts[next(iter(expected))] += 1
            entry = {'name': case['name'], 'template': case['template'], 'vars': case['vars'], 'mode': case['mode']}
            if 'lstrip_blocks' in case:
                entry['lstripBlocks'] = case['lstrip_blocks']
            entry['expected'] = expected
            fixtures.append(entry)
        total += len(fixtures)
        with open(os.path.join(OUT, category + '.json'), 'w', encoding='utf-8') as f:
            # One case a line: a regenerated corpus diffs case by case.
            f.write('[\n' + ',\n'.join(json.dumps(c, ensure_ascii=False) for c in fixtures) + '\n]\n')
    print('%d cases in %d categories (%d values, %d texts, %d errors) -> %s'
          % (total, len(groups), counts['value'], counts['text'], counts['error'], OUT))


if __name__ == '__main__':
    main()
