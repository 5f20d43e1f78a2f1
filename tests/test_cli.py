"""The command line: documented, runnable as a module, exit codes."""

from __future__ import annotations

import subprocess
import sys

from handbill.cli import _parser, run

from conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_every_command_and_option_is_documented_in_the_readme():
    parser = _parser()
    actions = list(parser._actions)
    commands = next(a for a in actions if a.dest == "command")
    for name, sub in commands.choices.items():
        assert f"handbill {name}" in README, name
        assert sub.description, name
        actions += sub._actions
    for action in actions:
        for flag in action.option_strings:
            if flag.startswith("--") and flag != "--help":
                assert flag in README, flag
                assert action.help, flag


def test_python_dash_m_runs_the_cli():
    result = subprocess.run([sys.executable, "-m", "handbill", "--version"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert result.stdout.startswith("handbill ")


def test_no_command_is_misuse(capsys):
    assert run([]) == 2
    assert "usage:" in capsys.readouterr().err


def test_console_script_is_installed():
    from pathlib import Path
    script = Path(sys.executable).parent / "handbill"
    assert script.exists()
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "build" in result.stdout
