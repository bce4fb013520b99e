"""The README documents every CLI command and every BANKBRIDGE_* variable."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from bankbridge import cli, config

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def _commands(parser: argparse.ArgumentParser, prefix: str = "bankbridge") -> list[str]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append(f"{prefix} {name}")
                found.extend(_commands(sub, f"{prefix} {name}"))
    return found


def test_readme_starts_with_the_two_setup_commands():
    head = "\n".join(README.splitlines()[:15])
    assert "make run" in head and "make test" in head


def test_readme_mentions_every_cli_command():
    commands = _commands(cli._parser())
    assert "bankbridge accounts create" in commands
    for command in commands:
        assert f"`{command}" in README, command


def test_readme_mentions_every_environment_variable():
    source = Path(config.__file__).read_text()
    variables = set(re.findall(r'"(BANKBRIDGE_[A-Z_]+)"', source))
    for slug in config.REMOTE_BASE_URLS:
        variables |= {f"BANKBRIDGE_{slug.upper()}_{key}" for key in ("BASE_URL", "SECRET")}
    assert "BANKBRIDGE_DATABASE_URL" in variables
    for variable in sorted(variables):
        assert variable in README, variable
