"""Data flows one way: API → enqueue → queue → engine → kinds' sources → staging → target.
Read from the source's import statements (those inside functions included): a lower layer
never imports a higher one, the engine knows no kind, and a kind knows no other kind."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from worker.db.queries import parse_queries

ROOT = Path(__file__).resolve().parents[2]

# module prefix -> what modules under it must not import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "worker": ("api_stub", "legacy_sim", "tests", "bench", "scripts", "harness"),
    "worker.db": ("worker.store", "worker.services", "worker.engine", "worker.kinds",
                  "worker.staging", "worker.queue", "worker.enqueue", "worker.process"),
    "worker.store": ("worker.services", "worker.engine", "worker.kinds", "worker.staging",
                     "worker.queue", "worker.enqueue", "worker.process"),
    "worker.queue": ("worker.store", "worker.engine", "worker.kinds", "worker.enqueue",
                     "worker.process"),
    "worker.engine": ("worker.kinds", "worker.staging", "worker.queue", "worker.enqueue",
                      "worker.process", "worker.redis_keys", "worker.money"),
    "worker.staging": ("worker.engine", "worker.kinds", "worker.enqueue", "worker.process"),
    # what every kind's sources share: below the engine and the kinds
    "worker.sources": ("worker.engine", "worker.kinds", "worker.wizard", "worker.store",
                       "worker.staging", "worker.target", "worker.queue", "worker.enqueue",
                       "worker.ops", "worker.process", "worker.services"),
    # the bottom of the flow: the target knows the canonical records, nothing above them
    "worker.target": ("worker.staging", "worker.store", "worker.services", "worker.engine",
                      "worker.kinds", "worker.wizard", "worker.queue", "worker.enqueue",
                      "worker.ops", "worker.process"),
    "worker.enqueue": ("worker.kinds", "worker.process"),
    # the operators' use cases sit beside the enqueue layer: any kind, none by name
    "worker.ops": ("worker.kinds", "worker.process"),
    "worker.timeline": ("worker.store", "worker.kinds", "worker.engine", "worker.process"),
    "worker.kinds": ("worker.process",),
    # the wizard's domain, below its two kinds and the API
    "worker.wizard": ("worker.kinds", "worker.process", "worker.enqueue", "worker.engine",
                      "worker.queue"),
    "api_stub": ("worker.process", "legacy_sim"),
    # benchmarks stand alone: they share the harness with the tests, nothing of the tests
    "bench": ("tests",),
    "harness": ("tests", "bench"),
    # errors carry their own HTTP status: a new kind's errors touch no web module
    "api_stub.errors": ("worker.kinds", "worker.wizard", "worker.store"),
    "api_stub.error_handlers": ("worker.kinds", "worker.wizard", "worker.store"),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every module the file imports (absolute names), wherever the import statement is."""
    found: set[str] = set()
    package = _module_name(path).rsplit(".", 0 if path.name == "__init__.py" else 1)[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the importing package
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


SOURCES = sorted([*ROOT.glob("worker/**/*.py"), *ROOT.glob("api_stub/**/*.py"),
                  *ROOT.glob("bench/**/*.py"), *ROOT.glob("harness/**/*.py")])


def test_the_sources_are_found() -> None:
    names = {_module_name(p) for p in SOURCES}
    assert {"worker.engine.runner", "worker.kinds.legacy_migration.kind",
            "api_stub.app"} <= names


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: _module_name(p))
def test_no_import_against_the_flow(path: Path) -> None:
    module = _module_name(path)
    wrong = sorted(
        f"{module} imports {name} (forbidden under {prefix})"
        for prefix, forbidden in FORBIDDEN.items() if _under(module, prefix)
        for name in _imports(path) for banned in forbidden if _under(name, banned)
    )
    assert wrong == []


def test_a_kind_imports_no_other_kind() -> None:
    kinds = [p.name for p in (ROOT / "worker" / "kinds").iterdir()
             if p.is_dir() and (p / "__init__.py").exists()]
    assert "legacy_migration" in kinds
    for kind in kinds:
        for path in (ROOT / "worker" / "kinds" / kind).rglob("*.py"):
            others = {name for name in _imports(path) for other in kinds
                      if other != kind and _under(name, f"worker.kinds.{other}")}
            assert others == set(), f"{_module_name(path)} imports another kind: {others}"


def test_the_engine_names_no_kind() -> None:
    kind_words = re.compile(r"legacy|wizard|staging", re.IGNORECASE)
    for path in (ROOT / "worker" / "engine").rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            assert not kind_words.search(line), f"{path.name}:{number}: {line.strip()}"


# --- only worker/target writes target.* -----------------------------------------------------

_WRITES_TARGET = re.compile(
    r"\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(\s+TABLE)?|MERGE\s+INTO|COPY)\s+target\."
    r"|schema_name\s*=\s*[\"']target[\"']", re.IGNORECASE)
_QUERY_USE = re.compile(r"\bq\(\s*f?[\"']([a-z0-9_{}]+)[\"']")


def _target_writing_queries() -> dict[str, str]:
    """{name: file} of every named query that writes target.*."""
    found = {}
    for path in sorted((ROOT / "sql" / "queries").glob("*.sql")):
        for name, sql in parse_queries(path.read_text(), path.name).items():
            if _WRITES_TARGET.search(sql):
                found[name] = path.name
    return found


def _outside_the_target() -> list[Path]:
    """The service's modules but the target's (benchmarks and tests seed rows as they need)."""
    return [p for p in SOURCES if _module_name(p).startswith(("worker.", "api_stub."))
            and not _under(_module_name(p), "worker.target")]


def test_the_rule_sees_a_write_of_the_target() -> None:
    assert _WRITES_TARGET.search("INSERT INTO target.payments (a) SELECT 1")
    assert _WRITES_TARGET.search('copy_records_to_table("x", schema_name="target")')
    assert not _WRITES_TARGET.search("SELECT id FROM target.entities")
    assert "commit_payments" in _target_writing_queries()


def test_only_the_target_sql_file_holds_queries_that_write_the_target() -> None:
    assert set(_target_writing_queries().values()) == {"target.sql"}


def test_no_module_outside_worker_target_writes_the_target() -> None:
    writing = set(_target_writing_queries())
    wrong = []
    for path in _outside_the_target():
        text = path.read_text()
        wrong += [f"{_module_name(path)} writes: {m.group(0)!r}"
                  for m in _WRITES_TARGET.finditer(text)]
        wrong += [f"{_module_name(path)} runs {name}" for name in _QUERY_USE.findall(text)
                  if name in writing or (name.startswith("commit_") and "{" in name)]
    assert wrong == []


# --- routes only translate HTTP ---------------------------------------------------------------

def _is_store(name: str) -> bool:
    return _under(name, "worker.store") or name.endswith(".store") or ".store." in name


def test_routes_import_no_store() -> None:
    """A route translates HTTP; what it reads or does is a use case's (worker/ops.py,
    worker/audit_trail.py, worker/key_lifecycle.py, worker/wizard/reads.py, a kind's
    reads.py or enqueue.py), which the dashboard, the CLI or a test can call as well."""
    routes = [p for p in SOURCES if _under(_module_name(p), "api_stub.routes")]
    assert len(routes) > 5
    reading = sorted(f"{_module_name(p)} imports {name}" for p in routes
                     for name in _imports(p) if _is_store(name))
    assert reading == []
