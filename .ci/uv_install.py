"""Install packages into this interpreter's venv with uv, from the indexes pip is set up to use.

`make install` runs it as `.venv/bin/python .ci/uv_install.py -e '.[dev]'`: uv resolves and
installs the project in seconds where pip takes about two minutes. uv does not read pip's
configuration, so pip's own settings (`pip config list`: environment, user and site files) are
passed on as flags: index URL, extra indexes, find-links, constraints, certificate bundle.
Like pip, uv then takes the best version across all of those indexes. Any failure exits
non-zero and the Makefile falls back to plain pip.
"""

import ast
import os
import subprocess
import sys
from pathlib import Path

# pip option -> uv flag; values that are lists are separated by whitespace.
FLAGS = {
    "index-url": "--index-url",
    "extra-index-url": "--extra-index-url",
    "find-links": "--find-links",
    "constraint": "--constraint",
}


def pip_settings() -> dict[str, str]:
    """pip's effective settings, environment over `install.` over `global.` sections."""
    listing = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True, check=True
    ).stdout
    rank = {"global": 0, "install": 1, ":env:": 2}
    settings: dict[str, tuple[int, str]] = {}
    for line in listing.splitlines():
        key, _, value = line.partition("=")
        section, _, name = key.rpartition(".")
        if section not in rank or not value:
            continue
        if name not in settings or rank[section] >= settings[name][0]:
            settings[name] = (rank[section], str(ast.literal_eval(value)))
    return {name: value for name, (_, value) in settings.items()}


def uv_command(uv: Path, packages: list[str]) -> tuple[list[str], dict[str, str]]:
    """The `uv pip install` command line and environment mirroring pip's settings."""
    settings = pip_settings()
    command = [str(uv), "pip", "install", "--quiet", "--python", sys.executable]
    command += ["--index-strategy", "unsafe-best-match"]
    for name, flag in FLAGS.items():
        for value in settings.get(name, "").split():
            command += [flag, value]
    if settings.get("no-index", "").lower() in ("1", "true", "yes", "on"):
        command.append("--no-index")
    env = dict(os.environ)
    if cert := settings.get("cert"):
        env.setdefault("SSL_CERT_FILE", cert)
    return command + packages, env


def main() -> int:
    """Install uv with pip (quick: one wheel), then the given packages with uv."""
    quiet = ["--quiet", "--disable-pip-version-check"]
    pip_install = [sys.executable, "-m", "pip", "install", *quiet, "uv"]
    subprocess.run(pip_install, check=True)  # noqa: S603 - fixed command line
    uv = Path(sys.executable).with_name("uv")
    command, env = uv_command(uv, sys.argv[1:])
    return subprocess.run(command, env=env, check=False).returncode  # noqa: S603 - our arguments


if __name__ == "__main__":
    sys.exit(main())
