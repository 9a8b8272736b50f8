"""The shape of the code: every module imports, every command answers ``--help``, no import cycle
among the portal's modules, and imports point one way through the layers:

    core <- models <- dao <- services <- routes / tasks / CLI        (``tools`` outside, above all)

The import graph is grimp's (the engine of import-linter), read from the source, so an import
inside a function counts as much as one at the top of a module: a cycle that only runs late is
still a cycle. Imports under ``if TYPE_CHECKING:`` do not count (they never run).

Where today's code still breaks a rule, the pair is in a KNOWN_* list below with the reason. The
lists may only shrink: a new break fails the test, and an entry that no longer breaks anything is
reported so it can be deleted.
"""

import importlib
import pkgutil
import re
import warnings
from functools import cache
from pathlib import Path

import click
import grimp
import pytest

import portal
import tools
from tests.conftest import redis_test_url
from tools.cli import dev_cli

ROOT = Path(__file__).resolve().parents[1]

# What each layer may import: its own layer and those below it. Entry points (views, CLI commands,
# Celery tasks, the factory) are found by what they define, so a moved or renamed module keeps its layer.
CORE, MODELS, DAO, SERVICES, ENTRY = range(5)
LAYER_NAMES = ("core", "models", "dao", "services", "routes/tasks/CLI")
BASE_PACKAGES = {"core", "constants", "config", "extensions", "crypto"}  # what everything may use
ENTRY_POINT = re.compile(
    r"^\s*@((?!app\.)\w+\.(route|get|post|app_\w+|before_\w+|after_\w+|context_processor)|click\.command|click\.group|\w+\.task)\b"
    r"|^\s*\w+ = (Blueprint|AppGroup|create_app)\(",
    re.MULTILINE,
)

# Import edges ignored when looking for cycles, each with its reason (none left: keep it so).
KNOWN_CYCLE_EDGES: set[tuple[str, str]] = set()

# Imports against the direction of the layers, each with its reason.
KNOWN_LAYER_BREAKS: set[tuple[str, str]] = set()
# Process entry points that change the process they are loaded into, so not imported here.
NOT_IMPORTED = {
    "tools.bench.send_worker": "times every claim of the sending path in the process that loads it",
}


@cache
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("portal", "tools", exclude_type_checking_imports=True, cache_dir=None)


def source(module: str) -> str:
    spec = importlib.util.find_spec(module)
    return Path(spec.origin).read_text(encoding="utf-8")


@cache
def layer(module: str) -> int:
    parts = module.split(".")
    if module == "portal" or "routes" in parts or ENTRY_POINT.search(source(module)):
        return ENTRY
    if len(parts) > 1 and parts[1] in BASE_PACKAGES:
        return CORE
    if len(parts) > 1 and parts[1] == "models":
        return MODELS
    if len(parts) > 1 and parts[1] == "dao":
        return DAO
    return SERVICES


def portal_modules() -> list[str]:
    return sorted(module for module in graph().modules if module.split(".")[0] == "portal")


def imports_of(module: str) -> set[str]:
    return {m for m in graph().find_modules_directly_imported_by(module) if m.split(".")[0] == "portal"}


def report_stale(kind: str, stale: set) -> None:
    if stale:
        warnings.warn(f"{kind}: no longer needed, delete from the list: {sorted(stale)}", stacklevel=2)


def all_modules(package) -> list[str]:
    found = [package.__name__]
    for info in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}."):
        if not info.name.endswith("__main__") and info.name not in NOT_IMPORTED:  # `python -m` ones run
            found.append(info.name)
    return found


@pytest.mark.parametrize("package", [portal, tools], ids=["portal", "tools"])
def test_every_module_imports(package, monkeypatch):
    monkeypatch.setenv("CELERY_BROKER_URL", redis_test_url(15))  # the Celery app module refuses to load without one
    for module in all_modules(package):
        importlib.import_module(module)


def test_the_graph_sees_every_module():
    walked = {m for package in (portal, tools) for m in all_modules(package)}
    assert walked - set(graph().modules) == set()


def runtime_graph() -> grimp.ImportGraph:
    """The graph plus what Python does unasked: importing ``a.b.c`` runs ``a/__init__`` and ``a/b/__init__`` first."""
    runtime = grimp.build_graph("portal", exclude_type_checking_imports=True, cache_dir=None)
    for importer in portal_modules():
        for imported in runtime.find_modules_directly_imported_by(importer):
            parts = imported.split(".")
            for depth in range(2, len(parts)):
                package = ".".join(parts[:depth])
                if package != importer and not importer.startswith(f"{package}."):
                    runtime.add_import(importer=importer, imported=package)
    return runtime


def test_no_import_cycle_among_portal_modules():
    cut = runtime_graph()
    for importer, imported in KNOWN_CYCLE_EDGES:
        if {importer, imported} <= cut.modules and cut.direct_import_exists(importer=importer, imported=imported):
            cut.remove_import(importer=importer, imported=imported)
    cycles = set()
    for module in portal_modules():
        for imported in cut.find_modules_directly_imported_by(module):
            back = cut.find_shortest_chain(importer=imported, imported=module)  # imported -> ... -> module
            if back:
                cycles.add(" -> ".join((module, *back)))
    assert sorted(cycles) == []
    present = {(a, b) for a, b in KNOWN_CYCLE_EDGES if a in graph().modules and b in imports_of(a)}
    report_stale("KNOWN_CYCLE_EDGES", KNOWN_CYCLE_EDGES - present)


def test_imports_point_down_the_layers():
    breaks = {
        (module, imported)
        for module in portal_modules()
        for imported in imports_of(module)
        if layer(imported) > layer(module)
    }
    described = [
        f"{a} ({LAYER_NAMES[layer(a)]}) imports {b} ({LAYER_NAMES[layer(b)]})"
        for a, b in sorted(breaks - KNOWN_LAYER_BREAKS)
    ]
    assert described == []
    report_stale("KNOWN_LAYER_BREAKS", KNOWN_LAYER_BREAKS - breaks)


def test_portal_core_imports_nothing_of_portal_above_it():
    """Core may use the extension objects (``db``) and the named constants (the taxonomy's severity
    order), which import nothing of the portal themselves."""
    leaves = {"portal.extensions", "portal.constants"}
    assert all(imports_of(leaf) == set() for leaf in leaves)
    above = {
        (module, imported)
        for module in portal_modules()
        if module.startswith("portal.core")
        for imported in imports_of(module)
        if not imported.startswith("portal.core") and imported not in leaves
    }
    assert above == set()


def test_the_product_never_imports_tools():
    into_tools = {
        (module, imported)
        for module in portal_modules()
        for imported in graph().find_modules_directly_imported_by(module)
        if imported.split(".")[0] == "tools"
    }
    assert into_tools == set()


def commands(group: click.Group, path: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        yield (*path, name)
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))


def test_every_command_answers_help(app):
    app.cli.add_command(dev_cli)
    runner = app.test_cli_runner()
    walked = list(commands(app.cli))
    assert ("portal", "send") in walked and ("dev", "bench", "import") in walked
    for path in walked:
        result = runner.invoke(args=[*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
