"""Benchmark of ``carbon_trees`` on a 1,000,000-row tree CSV (seeded, field-like data).

Measured in the same run:

1. floor: Python's ``csv`` module reading the input and writing the same rows back out;
2. ``quantification.cli.trees.carbon_trees`` in process (read, validate, compute, write), with
   its phases, and ``compute_trees`` alone (the numpy engine, warm caches);
3. ``manage.py carbon_trees`` as a subprocess (Django start-up included), skipped with a
   message when the project is not importable.

The data look like field data: D with one decimal (5-80 cm), 30% of heights measured with one
decimal, 40 species/local names incl. palms and coffee, 25,000 plots.
Usage: .venv/bin/python bench/bench_carbon_cli.py [--rows N]
"""

import argparse
import csv
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from quantification.cli import parameters, reading, reporting  # noqa: E402
from quantification.cli import trees as cli_trees  # noqa: E402
from quantification.engine.pipeline import compute_trees  # noqa: E402

SPECIES = [
    "Inga edulis",
    "Inga edulis",
    "Inga edulis",
    "Inga marginata",
    "Inga densiflora",
    "guaba",
    "pacae",
    "Cedrela odorata",
    "Cedrela fissilis",
    "Cordia alliodora",
    "laurel",
    "Swietenia macrophylla",
    "Calycophyllum spruceanum",
    "capirona",
    "Guazuma crinita",
    "bolaina",
    "Schizolobium parahyba",
    "pashaco",
    "Cedrelinga cateniformis",
    "tornillo",
    "Erythrina poeppigiana",
    "Erythrina edulis",
    "Retrophyllum rospigliosii",
    "Alnus acuminata",
    "Ochroma pyramidale",
    "Eucalyptus grandis",
    "Eucalyptus saligna",
    "Pinus tecunumanii",
    "Pinus patula",
    "Grevillea robusta",
    "Persea americana",
    "palta",
    "Terminalia amazonia",
    "Calophyllum brasiliense",
    "Tabebuia serratifolia",
    "Bactris gasipaes",
    "Musa paradisiaca",
    "Coffea arabica",
    "desconocida",
    "Inga sp.",
]


def generate(path: Path, rows: int, seed: int = 20100101) -> None:
    rng = np.random.default_rng(seed)
    species = np.asarray(SPECIES, dtype=object)[rng.integers(0, len(SPECIES), rows)]
    d = np.round(rng.uniform(5.0, 80.0, rows), 1)
    h = np.round(np.clip(1.5 + 7.0 * d**0.45 * rng.lognormal(0, 0.15, rows), 1.5, 45), 1)
    measured = rng.random(rows) < 0.3
    plots = rng.integers(0, max(rows // 40, 1), rows)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("tree_id,species,dbh_cm,height_m,plot_id\n")
        for start in range(0, rows, 100_000):
            stop = min(start + 100_000, rows)
            lines = (
                f"T{i},{species[i]},{d[i]},{h[i] if measured[i] else ''},P{plots[i]}\n"
                for i in range(start, stop)
            )
            out.write("".join(lines))


def floor(source: Path, target: Path) -> float:
    start = time.perf_counter()
    with (
        source.open(newline="", encoding="utf-8") as inp,
        target.open("w", newline="", encoding="utf-8") as out,
    ):
        csv.writer(out).writerows(csv.reader(inp))
    return time.perf_counter() - start


def in_process(source: Path, target: Path) -> tuple[float, dict[str, float]]:
    params = parameters.cli_parameters()
    phases = {}
    start = time.perf_counter()
    table, trees = reading.read_trees(source)
    phases["read+validate"] = time.perf_counter() - start
    t = time.perf_counter()
    results = compute_trees(trees, params)
    phases["compute"] = time.perf_counter() - t
    t = time.perf_counter()
    with reading.gc_paused():
        reporting.write_atomically(target, cli_trees.output_lines(table, trees, results))
    phases["write"] = time.perf_counter() - t
    total = time.perf_counter() - start
    status = cli_trees.carbon_trees(source, target, params=params, stderr=io.StringIO())
    assert status == 0, "carbon_trees failed on the generated file"
    start = time.perf_counter()
    cli_trees.carbon_trees(source, target, params=params, stderr=io.StringIO())
    return min(total, time.perf_counter() - start), phases


def engine_only(source: Path) -> float:
    _, trees = reading.read_trees(source)
    params = parameters.cli_parameters()
    compute_trees(trees, params)
    start = time.perf_counter()
    compute_trees(trees, params)
    return time.perf_counter() - start


def via_manage_py(source: Path, target: Path) -> float | None:
    python = ROOT / ".venv" / "bin" / "python"
    env = {**os.environ}
    env.setdefault("DJANGO_SETTINGS_MODULE", "pichanaki.settings")
    probe = subprocess.run(
        [str(python), "manage.py", "help", "carbon_trees"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0:
        print(f"manage.py: skipped, the project is not importable ({probe.stderr.strip()[-200:]})")
        return None
    start = time.perf_counter()
    run = subprocess.run(
        [str(python), "manage.py", "carbon_trees", str(source), "-o", str(target)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if run.returncode != 0:
        print(f"manage.py carbon_trees failed: {run.stderr.strip()[-500:]}")
        return None
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    rows = parser.parse_args().rows
    with tempfile.TemporaryDirectory(prefix="bench_carbon_") as scratch:
        source, out = Path(scratch) / "trees.csv", Path(scratch) / "out.csv"
        generate(source, rows)
        size_mb = source.stat().st_size / 1e6
        print(f"input: {rows:,} rows, {size_mb:.1f} MB (seeded)")
        floor_s = min(floor(source, Path(scratch) / "copy.csv") for _ in range(2))
        print(f"floor  csv read+write:          {floor_s:6.2f} s  {rows / floor_s:12,.0f} rows/s")
        total, phases = in_process(source, out)
        detail = ", ".join(f"{k} {v:.2f} s" for k, v in phases.items())
        print(
            f"carbon_trees in process:        {total:6.2f} s  {rows / total:12,.0f} rows/s"
            f"  ratio {total / floor_s:.2f}x floor  ({detail})"
        )
        engine = engine_only(source)
        print(f"compute_trees alone (engine):   {engine:6.2f} s  {rows / engine:12,.0f} rows/s")
        managed = via_manage_py(source, Path(scratch) / "out_manage.csv")
        if managed is not None:
            same = (Path(scratch) / "out_manage.csv").read_bytes() == out.read_bytes()
            print(
                f"manage.py carbon_trees:         {managed:6.2f} s  {rows / managed:12,.0f} "
                f"rows/s  ratio {managed / floor_s:.2f}x floor  (same output: {same})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
