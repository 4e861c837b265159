"""quantification.engine is a pure module: no Django database code, importable without settings."""

import ast
import subprocess
import sys
from pathlib import Path

import quantification.engine

PACKAGE = Path(quantification.engine.__file__).resolve().parent
ROOT = PACKAGE.parents[1]


def test_it_imports_nothing_from_django():
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            assert not any(n == "django" or n.startswith("django.") for n in names), path.name


def test_it_imports_nothing_of_the_project_outside_the_engine():
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            local = [n for n in names if (ROOT / n.split(".")[0]).is_dir()]
            assert all(n.startswith("quantification.engine") for n in local), (path.name, local)


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_it_loads_in_a_fresh_interpreter_without_loading_django_at_all():
    modules = [_module(path) for path in sorted(PACKAGE.rglob("*.py"))]
    code = (
        "import sys\n"
        f"for m in {modules!r}: __import__(m)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'django')\n"
        "print(','.join(bad) or 'clean')\n"
    )
    env = {"PATH": "", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    assert result.stdout.strip() == "clean"
