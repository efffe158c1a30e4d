"""The ``kefu`` command line.

Every module in this package that defines ``COMMANDS`` (a list of click commands or
groups) contributes them to the ``kefu`` group; modules stay thin and call into the
packages that do the work.
"""

from __future__ import annotations

import importlib
import pkgutil

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kefu")
def main() -> None:
    """kefu (客服): a customer-service assistant you run yourself."""


def _register_commands() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for command in getattr(module, "COMMANDS", ()):
            main.add_command(command)


_register_commands()
