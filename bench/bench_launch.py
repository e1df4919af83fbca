"""Benchmark the generated project's launch.py: start-up cost against the SDK's, and re-uploads.

    .venv/bin/python bench/bench_launch.py [--repeats 5]

Renders the template with its defaults into a temporary folder, writes sample data with the
project's scripts/make_data.py, starts the project's own moto stand-in (tests/conftest.py),
then measures in this one run (medians of the repeats, taken in turns so that drift
skews none of them):
1. the floor: a fresh Python importing what the launcher imports from the SDK (the
   `sagemaker` imports of tools/sdk.py and tools/sdk_session.py), and nothing else;
2. `python launch.py --help` (should cost a small fraction of the floor: no SDK import);
3. `python launch.py --dry-run` (builds the request with the SDK: target within 1.2x the floor);
4. the bytes S3 received during a first launch, and during a second launch of the same
   code and data (should be 0: everything is stored under its digest).
"""

import argparse
import ast
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parent.parent


def seconds(command, cwd, env):
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def interleaved_medians(commands, cwd, env, repeats):
    """{name: median seconds}, running each named command once per round."""
    times = {name: [] for name in commands}
    for _ in range(repeats):
        for name, command in commands.items():
            times[name].append(seconds(command, cwd, env))
    return {name: statistics.median(runs) for name, runs in times.items()}


def sdk_imports(project):
    """The `from sagemaker... import ...` statements of the launcher's SDK modules, as code."""
    statements = []
    for module in ("tools/sdk.py", "tools/sdk_session.py"):
        for node in ast.parse((project / module).read_text()).body:
            if isinstance(node, ast.ImportFrom) and node.module.split(".")[0] == "sagemaker":
                statements.append(ast.unparse(node))
    return "\n".join(statements)


def start_stand_in(project, scratch):
    """The project's moto server and an environment pointing boto3 and the SDK at it."""
    sys.path[:0] = [str(project / "tests"), str(project)]  # as the project's pytest settings
    import conftest  # the project's own stand-in: one implementation of the fixture

    server = conftest.MotoServer(scratch)
    sdk_config = scratch / "sagemaker-config.yaml"
    sdk_config.write_text(conftest.SDK_CONFIG)
    os.environ.update(
        AWS_ENDPOINT_URL=server.url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_REGION=conftest.REGION,
        AWS_DEFAULT_REGION=conftest.REGION,
        AWS_CONFIG_FILE=str(scratch / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(scratch / "no-aws-credentials"),
        SAGEMAKER_ROLE_ARN=conftest.ROLE,
        SAGEMAKER_VALIDATE_ROLE="false",
        SAGEMAKER_USER_CONFIG_OVERRIDE=str(sdk_config),
    )
    stand_in = conftest.StandIn(server)
    stand_in.s3.create_bucket(Bucket=stand_in.bucket)
    return server, stand_in


def uploaded_by_launch(launch, project, stand_in):
    """Bytes S3 received while one real launch (--no-wait) ran."""
    stand_in.mark()
    subprocess.run([*launch, "--bucket", stand_in.bucket, "--no-wait"], cwd=project, check=True, capture_output=True)
    return stand_in.uploaded_bytes()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-launch-") as scratch:
        scratch = Path(scratch)
        project = Path(cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(scratch / "render")))
        subprocess.run([sys.executable, "scripts/make_data.py", "--out", "data"], cwd=project, check=True)
        server, stand_in = start_stand_in(project, scratch)
        try:
            env = dict(os.environ)
            launch = [sys.executable, "launch.py"]
            commands = {
                "floor": [sys.executable, "-c", sdk_imports(project)],
                "help": [*launch, "--help"],
                "dry run": [*launch, "--bucket", stand_in.bucket, "--dry-run"],
            }
            medians = interleaved_medians(commands, project, env, args.repeats)
            first = uploaded_by_launch(launch, project, stand_in)
            second = uploaded_by_launch(launch, project, stand_in)
        finally:
            server.stop()

    floor = medians["floor"]
    print(f"Medians of {args.repeats} runs in turns; the floor imports the SDK classes the launcher uses.")
    rows = [("import the SDK's classes (floor)", "floor", ""), ("launch.py --help", "help", "")]
    rows.append(("launch.py --dry-run", "dry run", " (target: at most 1.2x)"))
    for label, name, target in rows:
        print(f"  {label:33} {medians[name]:7.3f} s   {medians[name] / floor:.2f}x{target}")
    print(f"Bytes uploaded: first launch {first:,}; second launch of unchanged code {second:,}")


if __name__ == "__main__":
    main()
