"""Check the floor plan: the facts issue 10 names, printed and enforced.

    python3 scripts/floorplan.py          # prints the facts, exits 1 if a rule is broken

Rules (all from the source text alone, nothing is imported):
- apps import one way, top floor to ground: demo > backoffice > benefits > credits >
  quantification > parcels > smallholders > pichanaki (the ground floor imports no app, except
  in urls.py, which mounts them);
- no app imports `demo`;
- no import cycle between modules (imports under `if TYPE_CHECKING:` are not edges);
- no module over 400 lines outside migrations and data;
- parcels/ holds under 35% of the app code.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOORS = [
    "pichanaki",
    "smallholders",
    "parcels",
    "quantification",
    "credits",
    "benefits",
    "backoffice",
    "demo",
]
CHECKED = [*FLOORS, "tests", "bench", "scripts"]
MAX_LINES = 400
PARCELS_SHARE = 0.35


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported(path: Path, name: str, modules: set[str]) -> set[str]:
    """The project modules `path` imports (a `from a import b` counts a.b when b is a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            submodules = {f"{base}.{alias.name}" for alias in node.names} & modules
            found.update(submodules)
            if len(submodules) < len(node.names):  # names defined in the module itself
                found.add(base)
        stack.extend(ast.iter_child_nodes(node))
    return {m for m in found if m in modules and m != name}


def project_files() -> list[Path]:
    files = []
    for top in CHECKED:
        files.extend(p for p in (ROOT / top).rglob("*.py") if "/migrations/" not in str(p))
    return sorted(files)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def floor(module: str) -> int | None:
    top = module.split(".")[0]
    return FLOORS.index(top) if top in FLOORS else None


def layering_breaks(graph: dict[str, set[str]]) -> list[str]:
    breaks = []
    for module, targets in sorted(graph.items()):
        here = floor(module)
        if here is None:
            continue
        for target in sorted(targets):
            there = floor(target)
            if there is None or there <= here:
                continue
            if module == "pichanaki.urls":
                continue  # the ground floor's URLconf mounts the apps
            breaks.append(f"{module} imports {target} (a floor above it)")
    return breaks


def main() -> int:
    files = project_files()
    names = {module_name(p): p for p in files}
    modules = set(names)
    graph = {name: imported(path, name, modules) for name, path in names.items()}
    problems = layering_breaks(graph)
    problems += [f"import cycle: {' <-> '.join(c)}" for c in cycles(graph)]
    lines = {
        name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in names.items()
    }
    problems += [
        f"{n} has {c} lines (> {MAX_LINES})" for n, c in sorted(lines.items()) if c > MAX_LINES
    ]
    app_lines = {top: sum(c for n, c in lines.items() if n.split(".")[0] == top) for top in FLOORS}
    total = sum(app_lines.values())
    share = app_lines["parcels"] / total
    if share >= PARCELS_SHARE:
        problems.append(f"parcels/ holds {share:.0%} of the app code (>= {PARCELS_SHARE:.0%})")
    print("app code (lines, without migrations):")
    for top in FLOORS:
        print(f"  {top:<15} {app_lines[top]:>6}  {app_lines[top] / total:6.1%}")
    print(f"  {'total':<15} {total:>6}")
    print(f"modules checked: {len(files)}; largest: {max(lines.values())} lines")
    for problem in problems:
        print(f"BROKEN: {problem}")
    print("floor plan: OK" if not problems else f"floor plan: {len(problems)} broken rule(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
