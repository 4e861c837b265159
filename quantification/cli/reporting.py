"""What the carbon commands say (rendered notices) and how they write (never a partial file)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO

from quantification.engine.notices import Notice

Render = Callable[[Notice], str]


def english(notice: Notice) -> str:
    """A notice in English (the commands translate it when Django runs them)."""
    return notice.message


def report(
    notices: Sequence[Notice], stream: IO[str], render: Render = english, *, prefix: str = ""
) -> None:
    for notice in notices:
        stream.write(f"{prefix}{render(notice)}\n")


def write_atomically(path: str | Path, chunks: Iterator[str]) -> None:
    """Write to a temporary file beside ``path`` and rename it: never a partial output."""
    target = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            for chunk in chunks:
                out.write(chunk)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
