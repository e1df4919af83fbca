"""Minimal git for tests: make a folder a repository and commit everything in it."""

import subprocess

IDENTITY = ["-c", "user.name=Template Tests", "-c", "user.email=tests@example.invalid", "-c", "commit.gpgsign=false"]


def git(folder, *args):
    """Run git in folder and return its stdout."""
    result = subprocess.run(["git", *IDENTITY, *args], cwd=folder, check=True, text=True, capture_output=True)
    return result.stdout.strip()


def commit_all(folder, message):
    """Commit every file in folder (making it a repository first if needed); return the commit id."""
    if not (folder / ".git").exists():
        git(folder, "init", "--quiet", "--initial-branch=main")
    git(folder, "add", "--all")
    git(folder, "commit", "--quiet", "--allow-empty", "--message", message)
    return git(folder, "rev-parse", "HEAD")
