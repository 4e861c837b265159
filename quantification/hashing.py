"""The input hash of a run: SHA-256 over a canonical serialisation of everything it reads.

Two runs with the same hash read the same rows, the same parameters and the same code
version, so they must store the same numbers (tested). Tables are serialised as sorted,
compact JSON; tree arrays as their little-endian bytes, column by column.
"""

import hashlib
import json
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np

from quantification.loaders import TREE_COLUMNS, Trees


def _default(value: Any) -> str:
    if isinstance(value, Decimal | date):
        return str(value)
    raise TypeError(f"cannot hash {type(value).__name__}")


def _json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=_default).encode()


def input_hash(*, header: dict[str, Any], tables: dict[str, list], trees: Trees | None) -> str:
    """Hash of `header` (run settings), `tables` (lists of row dicts) and the tree arrays."""
    digest = hashlib.sha256()
    digest.update(_json(header))
    for name in sorted(tables):
        digest.update(name.encode() + b"\0" + _json(tables[name]))
    if trees is not None:
        for name, dtype in TREE_COLUMNS:
            array = np.ascontiguousarray(getattr(trees, name), dtype=dtype.replace(">", "<"))
            digest.update(name.encode() + b"\0" + array.tobytes())
    return digest.hexdigest()
