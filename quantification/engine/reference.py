"""Reference tables shipped in ``parcels/data/`` and their SHA-256 digests.

Every table is read once per process (``functools.cache``); results record the digests of the
files they used (``reference_digests``) so a number can be traced to the exact data.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType

DATA_DIR = Path(__file__).resolve().parent / "data"
WOOD_DENSITY_DIR = DATA_DIR / "wood_density"
TAXONOMY_DIR = DATA_DIR / "taxonomy"

GWDD_V1_FILE = WOOD_DENSITY_DIR / "gwdd.csv"
GWDD_V2_FILE = WOOD_DENSITY_DIR / "gwdd_v2_estimates.csv"
GENUS_FAMILY_FILE = WOOD_DENSITY_DIR / "genus_family.csv"
SD_BY_LEVEL_FILE = WOOD_DENSITY_DIR / "sd_by_level.csv"
FELDPAUSCH_FILE = WOOD_DENSITY_DIR / "feldpausch_coefficients.csv"
SYNONYMS_FILE = TAXONOMY_DIR / "synonyms.csv"
LOCAL_NAMES_FILE = TAXONOMY_DIR / "local_names.csv"
GROWTH_FORMS_FILE = TAXONOMY_DIR / "growth_forms.csv"
GROWTH_GROUPS_FILE = TAXONOMY_DIR / "growth_groups.csv"


@cache
def read_rows(path: Path) -> tuple[dict[str, str], ...]:
    """All rows of a UTF-8 CSV as dicts of strings (empty cells stay ``""``)."""
    with path.open(newline="", encoding="utf-8") as handle:
        return tuple(csv.DictReader(handle))


@cache
def digest(path: Path) -> str:
    """SHA-256 (hex) of a data file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def digests(*paths: Path) -> Mapping[str, str]:
    """``{file name relative to parcels/data: sha256}`` for the given files."""
    return MappingProxyType({str(p.relative_to(DATA_DIR)): digest(p) for p in paths})
