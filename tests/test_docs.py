"""The README documents every CLI command and every BANKBRIDGE_* variable."""

from __future__ import annotations

import re
from pathlib import Path

import click

from bankbridge import cli, config

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def _commands(group: click.Group, prefix: str = "bankbridge") -> list[str]:
    """Every command and subcommand, from click's own model of the CLI."""
    found = []
    for name, command in group.commands.items():
        found.append(f"{prefix} {name}")
        if isinstance(command, click.Group):
            found.extend(_commands(command, f"{prefix} {name}"))
    return found


def test_readme_starts_with_the_two_setup_commands():
    head = "\n".join(README.splitlines()[:15])
    assert "make run" in head and "make test" in head


def test_readme_mentions_every_cli_command():
    commands = _commands(cli.cli)
    assert "bankbridge accounts create" in commands
    assert "bankbridge node-preload" in commands
    for command in commands:
        assert f"`{command}" in README, command


def test_readme_mentions_every_environment_variable():
    source = Path(config.__file__).read_text()
    variables = set(re.findall(r'"(BANKBRIDGE_[A-Z_]+)"', source))
    for slug in config.REMOTE_BASE_URLS:
        keys = ("BASE_URL", "SECRET", "MODE", "TIMEOUT_SECONDS")
        variables |= {f"BANKBRIDGE_{slug.upper()}_{key}" for key in keys}
    assert "BANKBRIDGE_DATABASE_URL" in variables
    for variable in sorted(variables):
        assert variable in README, variable
