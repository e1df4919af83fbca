"""The entry point's own parser asked about a job's hyperparameters before anything is sent
(tools/hyperparameter_check.py), in-process: a script of the test's own with a parser named in
a pyproject.toml of its own, so each refusal's line is known in full."""

import pytest

from tools import launch_options, settings
from tools.cli import UserError
from tools.hyperparameter_check import Probe
from tools.run_requests import LaunchRequest

# opts.py: parsers that read `--epochs N` as the toolkit passes it, each failing its own way.
PARSERS = """
import os, sys, time

def parse(argv):
    values = dict(zip(argv[::2], argv[1::2]))
    unknown = sorted(set(values) - {"--epochs"})
    if unknown:
        raise ValueError(f"unknown hyperparameters {unknown}")
    if int(values.get("--epochs", "1")) < 1:
        raise ValueError("epochs must be at least 1")

def chatty(argv):
    print("a line on stdout")
    print("first warning", file=sys.stderr)
    print("second warning", file=sys.stderr)
    raise ValueError("refused after warnings")

def silent(argv):
    os._exit(1)

def slow(argv):
    time.sleep(60)
"""
ROLE = "arn:aws:iam::123456789012:role/Training"


@pytest.fixture
def script(tmp_path, monkeypatch):
    """use(parser): source_dir/ with train.py and opts.py, pyproject.toml naming parser for
    train.py; the source_dir."""
    source = tmp_path / "source_dir"
    source.mkdir()
    (source / "train.py").write_text("print('training')\n")
    (source / "opts.py").write_text(PARSERS)
    pyproject = tmp_path / "pyproject.toml"
    monkeypatch.setattr(settings, "PYPROJECT", pyproject)

    def use(parser):
        table = "hyperparameter-parsers = { " + f'"train.py" = "{parser}"' + " }\n"
        pyproject.write_text(
            '[tool.launch]\nmetrics = ["validation:loss"]\n' + (table if parser else "")
        )
        return source

    return use


def check(source, **hyperparameters):
    """Probe a job of source_dir's train.py with hyperparameters; the probe, checked."""
    request = LaunchRequest("unit-job", {}, source_dir=source, hyperparameters=hyperparameters)
    with Probe(request) as probe:
        probe.check()
    return probe


def test_hyperparameters_the_parser_accepts_pass(script):
    probe = check(script("opts:parse"), epochs=3)

    assert probe.process.returncode == 0


# parser, hyperparameters: the line (after "train.py's parser (<parser>) refuses: ")
REFUSALS = {
    "a value it refuses": ("opts:parse", {"epochs": 0}, "--epochs 0: epochs must be at least 1"),
    "a name it does not know": (
        "opts:parse",
        {"epoch": 3},
        "--epoch 3: unknown hyperparameters ['--epoch']",
    ),
    "the last of its lines": ("opts:chatty", {}, ": refused after warnings"),
    "no word at all": ("opts:silent", {}, "it exited with an error"),
    "a module that is not there": (
        "nowhere:parse",
        {},
        "cannot load it: No module named 'nowhere'",
    ),
}


@pytest.mark.parametrize("refusal", REFUSALS)
def test_a_refusal_is_one_line_naming_the_script_and_its_parser(script, refusal):
    parser, hyperparameters, said = REFUSALS[refusal]

    with pytest.raises(UserError) as refused:
        check(script(parser), **hyperparameters)

    assert str(refused.value) == f"train.py's parser ({parser}) refuses: {said}"


def test_what_the_parser_prints_on_stdout_stays_out_of_launchs(script, capfd):
    with pytest.raises(UserError):
        check(script("opts:chatty"))

    assert capfd.readouterr().out == ""


def test_without_a_parser_nothing_is_asked(script):
    probe = check(script(None), epochs=0)

    assert not probe.process


def test_a_probe_left_early_is_stopped(script):
    request = LaunchRequest("unit-job", {}, source_dir=script("opts:slow"))

    with Probe(request) as probe:
        pass  # a mistake found elsewhere, or Ctrl-C

    assert probe.process.returncode == -9


def test_each_tuned_bound_is_asked_as_the_toolkit_passes_it(script):
    source = script("opts:parse")
    argv = ["--role", ROLE, "--channel", "train=s3://bucket/train", "--source-dir", str(source)]
    tuned = [*argv, "--objective", "validation:loss", "--tune"]

    Probe(launch_options.parse_args([*tuned, "epochs=1:9:int"])).check()
    with pytest.raises(UserError) as refused:
        Probe(launch_options.parse_args([*tuned, "epochs=0:9:int"])).check()

    assert str(refused.value).endswith(": --epochs 0: epochs must be at least 1")


# [tool.launch] hyperparameter-parsers: what it must be
BAD_PARSER_TABLES = {
    "not a table": 'hyperparameter-parsers = "opts:parse"\n',
    "a value not a string": 'hyperparameter-parsers = { "train.py" = 1 }\n',
}


@pytest.mark.parametrize("table", BAD_PARSER_TABLES)
def test_a_malformed_parser_table_is_one_line(script, table):
    script(None)
    settings.PYPROJECT.write_text(f"[tool.launch]\n{BAD_PARSER_TABLES[table]}")

    with pytest.raises(UserError) as refused:
        settings.hyperparameter_parser("train.py")

    assert str(refused.value) == (
        f"[tool.launch] hyperparameter-parsers in {settings.PYPROJECT} must map scripts to"
        " 'module:function'"
    )
