"""The template's hooks rendered with a set of answers and imported as modules, as
cookiecutter-pypackage's tests load theirs, so their functions can be called directly."""

import types

from cookiecutter.environment import StrictEnvironment
from cookiecutter.generate import generate_context
from cookiecutter.prompt import prompt_for_config

from support.rendering import TEMPLATE


def default_answers():
    """Every answer as cookiecutter settles it with --no-input (derived ones rendered)."""
    context = generate_context(context_file=str(TEMPLATE / "cookiecutter.json"))
    return prompt_for_config(context, no_input=True)


def load_hook(name, answers):
    """hooks/<name>.py rendered with answers, imported without running its main()."""
    context = {"cookiecutter": answers}
    environment = StrictEnvironment(context=context, keep_trailing_newline=True)
    source = environment.from_string((TEMPLATE / "hooks" / f"{name}.py").read_text()).render(**context)
    module = types.ModuleType(f"hooks.{name}")  # named after its path, as mutmut names its mutants
    exec(compile(source, f"hooks/{name}.py", "exec"), module.__dict__)
    return module
