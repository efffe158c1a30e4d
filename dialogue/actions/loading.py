"""A project's custom actions, imported as ``rasa run actions`` imports them.

A project inside an importable package (the demo, ``assistants/acme``) has its actions
imported by their dotted name (``assistants.acme.actions``). Any other project's
``actions`` package (or ``actions.py``) is imported as ``actions`` with the project folder on
``sys.path``, so its modules import each other as they do under Rasa
(``from actions.snow import SnowAPI``) and reach the project's other top-level modules. One
process serves one project; where a second project's actions are imported into the same
process (tests, tools), the first one's ``actions`` modules step aside.

Whatever goes wrong while importing them (a syntax error, a missing library, an exception
at import time) is one :class:`ActionsImportError` naming the project's file and line and
the cause, never a traceback.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import traceback
from pathlib import Path
from types import ModuleType

from dialogue.exceptions import ProjectError

__all__ = ["ACTIONS", "ActionsImportError", "actions_package", "check_actions", "import_actions"]

#: The name ``rasa run actions`` imports a project's actions under.
ACTIONS = "actions"


class ActionsImportError(ProjectError):
    """A project's actions cannot be imported; the message names the file, line and cause."""


def actions_package(root: Path) -> str | ModuleType | None:
    """The project's actions, imported (a module), or their dotted name where the project
    sits in an importable package; None when it has none."""
    root = root.resolve()
    package = root / ACTIONS / "__init__.py"
    single = root / f"{ACTIONS}.py"
    path = package if package.is_file() else single if single.is_file() else None
    if path is None:
        return None
    for entry in sys.path:
        base = Path(entry or ".").resolve()
        try:
            parts = root.relative_to(base).parts
        except ValueError:
            continue
        if (
            parts
            and all(p.isidentifier() for p in parts)
            and (base / parts[0] / "__init__.py").is_file()
        ):
            return ".".join((*parts, ACTIONS))
    return _as_actions(root, path)


def import_actions(package: str | ModuleType, root: Path | None = None) -> list[ModuleType]:
    """``package`` and every module in it, imported; errors as :class:`ActionsImportError`."""
    try:
        module = importlib.import_module(package) if isinstance(package, str) else package
        modules = [module]
        if hasattr(module, "__path__"):
            for info in pkgutil.walk_packages(module.__path__, prefix=f"{module.__name__}."):
                modules.append(importlib.import_module(info.name))
    except Exception as error:
        raise _import_error(error, root) from None
    return modules


def check_actions(root: Path) -> int:
    """Import the project's in-process actions now (none where endpoints.yml names an
    action server) so a broken one is one clear error before anything starts; returns how
    many modules were imported."""
    from dialogue.actions.endpoints import read_action_endpoint

    if read_action_endpoint(root / "endpoints.yml") is not None:
        return 0
    package = actions_package(root)
    return len(import_actions(package, root.resolve())) if package is not None else 0


def _as_actions(root: Path, path: Path) -> ModuleType:
    loaded = sys.modules.get(ACTIONS)
    if loaded is not None and _origin(loaded) == path:
        return loaded
    # Another project's actions step aside (one process, one project's ``actions``).
    for name in [n for n in sys.modules if n == ACTIONS or n.startswith(f"{ACTIONS}.")]:
        del sys.modules[name]
    folder = str(root)
    if folder in sys.path:
        sys.path.remove(folder)
    sys.path.insert(0, folder)
    importlib.invalidate_caches()
    try:
        module = importlib.import_module(ACTIONS)
    except Exception as error:
        raise _import_error(error, root) from None
    finally:
        # The project's other modules stay importable, after everything else.
        sys.path.remove(folder)
        sys.path.append(folder)
    if _origin(module) != path:
        raise ActionsImportError(f"{path}: another package named {ACTIONS!r} was imported instead")
    return module


def _origin(module: ModuleType) -> Path | None:
    file = getattr(module, "__file__", None)
    return Path(file).resolve() if file else None


def _import_error(error: BaseException, root: Path | None) -> ActionsImportError:
    """One line: the deepest frame in the project (else the deepest of all), and the cause."""
    frames = traceback.extract_tb(error.__traceback__)
    where = None
    if isinstance(error, SyntaxError) and error.filename:
        where = f"{error.filename}:{error.lineno}"
    else:
        inside = [
            f
            for f in frames
            if root is not None and Path(f.filename).resolve().is_relative_to(root)
        ]
        chosen = inside or list(frames)
        if chosen:
            where = f"{chosen[-1].filename}:{chosen[-1].lineno}"
    cause = f"{type(error).__name__}: {error}"
    prefix = f"{where}: " if where else ""
    return ActionsImportError(f"{prefix}the project's actions cannot be imported: {cause}")
