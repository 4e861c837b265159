"""Hash chains for append-only ledgers (pure: no database, no Django).

A ledger is a sequence of links 1, 2, 3…; link n stores its content, the hash of link n-1
(`GENESIS` for the first) and its own hash = SHA-256(previous hash, newline, canonical JSON of
its content). Editing, deleting, inserting or reordering a link breaks the chain at that point;
links appended or cut at the end are seen against the stored head (length and hash of the last
link). There is no secret: whoever can write the links can also cut the tail and rewind the head,
or recompute every link after an edit; only a head kept elsewhere shows that (`verify_ledger
--kept-head`).

The content is a mapping of plain values; the canonical form sorts keys, has no whitespace and
writes Decimal, date, datetime (in UTC) and UUID values as strings, so that the value read back
from the database hashes like the one written. Floats are refused: they have no single text form.
Used by the credit ledger (`credits.chain`); any other ledger can reuse it the same way.
"""

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

GENESIS = "0" * 64

# Why a chain breaks (`Break.reason`).
MISSING = "missing"  # a position was skipped: a link was deleted (or moved away)
DUPLICATE = "duplicate"  # a position appears twice: a link was inserted (or moved in)
PREVIOUS = "previous"  # the stored previous hash is not the previous link's hash
CONTENT = "content"  # the content does not hash to the stored hash: the link was edited
HEAD = "head"  # the chain ends elsewhere than the published head: links were cut or appended


def _plain(value: object) -> object:
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        raise TypeError("floats have no canonical form; use Decimal or int")
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, (dt.date, uuid.UUID)):
        return str(value)
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    raise TypeError(f"{type(value).__name__} has no canonical form")


def canonical_json(content: Mapping) -> bytes:
    """The one byte string of `content`: sorted keys, no spaces, UTF-8."""
    text = json.dumps(_plain(content), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def link_hash(content: Mapping, previous: str) -> str:
    """The hash of a link: SHA-256 over the previous link's hash and the canonical content."""
    return hashlib.sha256(previous.encode("ascii") + b"\n" + canonical_json(content)).hexdigest()


@dataclass(frozen=True)
class Link:
    key: object  # how the caller names the link (an event id)
    position: int  # 1, 2, 3…
    content: Mapping
    previous: str
    digest: str


@dataclass(frozen=True)
class Break:
    key: object | None  # the first bad link (None: the chain is fine but the head is not)
    position: int
    reason: str


def first_break(links: Iterable[Link], *, head_length: int, head_hash: str) -> Break | None:
    """The first place where `links` (in position order) stop being an intact chain that ends
    at the head (`head_length` links, the last hashing to `head_hash`); None when intact."""
    previous, expected = GENESIS, 1
    for link in links:
        if link.position != expected:
            reason = MISSING if link.position > expected else DUPLICATE
            return Break(link.key, link.position, reason)
        if link.previous != previous:
            return Break(link.key, link.position, PREVIOUS)
        if link_hash(link.content, link.previous) != link.digest:
            return Break(link.key, link.position, CONTENT)
        previous, expected = link.digest, expected + 1
    if expected - 1 != head_length or previous != head_hash:
        return Break(None, expected, HEAD)
    return None
