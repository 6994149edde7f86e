"""What code a report (or the ingestion) is made by — found, not listed.

From the modules a report notebook imports (and those the report's own process runs: the
runner, its engine, its nbconvert template), every module of the package they import, directly
or not, anywhere in their code (an import inside a function counts), is found by reading their
import statements. The digest of those files, of the templates beside them, and the versions of
the libraries they import (and those libraries' own requirements) is the code part of a
report's fingerprint: a change to the command line, the benchmarks or the index re-runs no
report, with no list saying so.

Reading every module and the installed distributions takes a second, so the result is kept in
a small cache keyed by the digest of the whole package: a nightly build with unchanged code
reads only that. A process remembers what it worked out too, by the same key, for its next
build into another folder.
"""

from __future__ import annotations

import ast
import copy
import functools
import json
import os
import re
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from analysis.site.fingerprint import PACKAGE_DIR, digest, file_digest, tree_digest

PACKAGE = "analysis"
# What a report's own process runs besides the notebook's imports.
RUNNER = ("analysis.site.runner", "analysis.site.engine", "analysis.site.pdf")
# Files read at run time by the modules of a closure: templates and configuration beside them.
DATA_PATTERNS = ("*.j2", "*.json", "*.css", "*.tpl")
CACHE = ".code-closure.json"
KEEP = 12  # code states kept in the cache: a build reads three (reports, grid, ingestion)


def module_file(name: str, root: Path = PACKAGE_DIR) -> Path | None:
    """The file of module ``analysis.x.y`` (a package's ``__init__.py``), None when none."""
    parts = name.split(".")[1:]
    base = root.joinpath(*parts)
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def module_name(path: Path, root: Path = PACKAGE_DIR) -> str:
    relative = path.relative_to(root).with_suffix("")
    parts = [p for p in relative.parts if p != "__init__"]
    return ".".join([PACKAGE, *parts])


def imports_in(source: str, current: str = "", is_package: bool = False) -> set[str]:
    """Every absolute module name imported anywhere in ``source`` (``from a import b`` gives
    ``a`` and ``a.b``, which may be a module)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = current.split(".")
                parts = parts if is_package else parts[:-1]
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, base] if base else parts)
            names.add(base)
            names |= {f"{base}.{alias.name}" for alias in node.names if alias.name != "*"}
    return names


def notebook_imports(path: Path) -> set[str]:
    """The modules a notebook's code cells import."""
    cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
    names: set[str] = set()
    for cell in cells:
        if cell.get("cell_type") == "code":
            source = "".join(cell.get("source", []))
            source = "\n".join(
                line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))
            )
            try:
                names |= imports_in(source)
            except SyntaxError:
                continue
    return names


def closure(roots: set[str], root: Path = PACKAGE_DIR) -> tuple[list[Path], set[str]]:
    """The package's files reachable from ``roots`` (with their parent packages' ``__init__``)
    and the top-level names of every other module they import."""
    files: dict[str, Path] = {}
    outside: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        top = name.split(".")[0]
        if top != PACKAGE:
            if top and top not in sys.stdlib_module_names:
                outside.add(top)
            continue
        parts = name.split(".")
        for depth in range(1, len(parts) + 1):
            module = ".".join(parts[:depth])
            if module in files:
                continue
            path = module_file(module, root)
            if path is None:
                continue
            files[module] = path
            todo += imports_in(path.read_text(encoding="utf-8"), module, path.name == "__init__.py")
    return sorted(set(files.values())), outside


def distributions(tops: set[str]) -> dict[str, str]:
    """The installed distributions providing ``tops`` and, recursively, those they require —
    their optional extras included (pandas reads parquet through pyarrow without importing it
    by name): name → version. Distributions not installed are left out."""
    providers = _providers()
    todo = sorted({d for top in tops for d in providers.get(top, [])})
    versions: dict[str, str] = {}
    missing: set[str] = set()
    while todo:
        name = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in versions or key in missing:
            continue
        found = _distribution(name)
        if found is None:
            missing.add(key)
            continue
        versions[key], requires = found
        for requirement in requires:
            todo.append(re.split(r"[ ;<>=!~\[(]", requirement.strip(), maxsplit=1)[0])
    return dict(sorted(versions.items()))


@functools.cache
def _distribution(name: str) -> tuple[str, list[str]] | None:
    """The version and requirements of distribution ``name``, None when it is not installed
    (read once a process: each is a parse of its metadata)."""
    try:
        return metadata.version(name), metadata.requires(name) or []
    except metadata.PackageNotFoundError:
        return None


@functools.cache
def _providers() -> dict[str, list[str]]:
    """Top-level module name → the installed distributions providing it (read once a process:
    it walks every installed distribution's files)."""
    return metadata.packages_distributions()


def _files_digest(files: list[Path], root: Path) -> str:
    return digest([(p.relative_to(root).as_posix(), file_digest(p)) for p in files])


def code_state(roots: set[str], root: Path = PACKAGE_DIR, extra: tuple[Path, ...] = ()) -> dict:
    """``{"code": digest of the closure's files and data files beside them, "libraries": {…}}``."""
    files, outside = closure(roots, root)
    folders = {p.parent for p in files} | set(extra)
    data = sorted(
        {f for folder in folders for pattern in DATA_PATTERNS for f in folder.glob(pattern) if f.is_file()}
        | {f for folder in extra for f in folder.rglob("*") if f.is_file()}
    )
    return {
        "code": _files_digest([*files, *data], root),
        "files": [p.relative_to(root).as_posix() for p in [*files, *data]],
        "libraries": distributions(outside),
    }


def report_code(notebooks: list[Path], cache_dir: Path | None = None, root: Path = PACKAGE_DIR) -> dict:
    """The code state of reports made from ``notebooks`` (see the module docstring), cached."""
    roots = set(RUNNER)
    for notebook in notebooks:
        roots |= notebook_imports(notebook)
    key = digest(tree_digest(root), sorted(roots), sys.version)
    extra = (root / "site" / "templates" / "report",)
    return _cached(cache_dir, key, lambda: _worked_out(key, lambda: code_state(roots, root, extra)))


def code_for(roots: set[str], cache_dir: Path | None = None, root: Path = PACKAGE_DIR) -> dict:
    """The code state of ``roots`` and what they import, cached."""
    key = digest(tree_digest(root), sorted(roots), sys.version)
    return _cached(cache_dir, key, lambda: _worked_out(key, lambda: code_state(roots, root)))


def ingest_code(cache_dir: Path | None = None, root: Path = PACKAGE_DIR) -> dict:
    """The code state of the ingestion (``analysis.site.prepare`` and what it imports), cached."""
    return code_for({"analysis.site.prepare"}, cache_dir, root)


_WORKED_OUT: dict[str, dict] = {}  # the code states this process worked out, by key


def _worked_out(key: str, compute: Callable[[], dict]) -> dict:
    """``compute()``, once a process for a key (the key names the package's bytes: code changed
    under a running process gives another key)."""
    if key not in _WORKED_OUT:
        _WORKED_OUT[key] = compute()
    return copy.deepcopy(_WORKED_OUT[key])  # a caller's changes stay its own


def _cached(cache_dir: Path | None, key: str, compute) -> dict:
    path = Path(cache_dir) / CACHE if cache_dir else None
    stored: dict = {}
    if path is not None:
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            stored = {}
    if key in stored:
        return stored[key]
    value = compute()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # A few code states, the newest last — kept in the order written (not sorted: the file's
        # order is what tells the newest; a build asks for three states each time).
        kept = {k: v for k, v in list(stored.items())[-(KEEP - 1) :]}
        kept[key] = value
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(kept), encoding="utf-8")
        temporary.replace(path)
    return value
