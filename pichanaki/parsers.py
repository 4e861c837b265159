"""The JSON parser of every API endpoint: DRF's, with a bounded nesting depth; and the same
bound for JSON read from imported files (`loads_bounded`).

A module of its own: DRF reads `DEFAULT_PARSER_CLASSES` while `rest_framework.views` is being
imported, so this must not import the views (as `pichanaki.api` does).
"""

import io
import json
import re
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers

#: deepest nesting of arrays and objects a JSON body may have (a GeoJSON Feature needs 6)
JSON_MAX_DEPTH = 32
# A JSON string (skipped whole, so brackets inside it do not count) or one bracket.
_JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def json_depth_exceeds(text: str, limit: int) -> bool:
    """Whether a JSON text nests arrays/objects deeper than `limit` (one linear scan)."""
    depth = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > limit:
                return True
        elif token in ("]", "}"):
            depth -= 1
    return False


class JSONTooDeep(ValueError):
    """JSON nested deeper than `JSON_MAX_DEPTH`; the message says so, translated."""


def too_deep_message() -> str:
    return _("JSON parse error - nested deeper than %(depth)s levels.") % {"depth": JSON_MAX_DEPTH}


def loads_bounded(text: str) -> Any:
    """`json.loads` of a text nested at most `JSON_MAX_DEPTH` deep, else JSONTooDeep: the
    decoder recurses once per level, so an unbounded text ends in a RecursionError."""
    if json_depth_exceeds(text, JSON_MAX_DEPTH):
        raise JSONTooDeep(too_deep_message())
    return json.loads(text)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a bounded depth: Python's decoder recurses per level, so a body
    of a thousand `[` would end in a RecursionError (a 500) instead of a 400."""

    def parse(self, stream: IO[bytes] | None, media_type=None, parser_context=None) -> Any:
        context = dict(parser_context or {})
        raw = stream.read() if stream is not None else b""
        # The depth is measured on the text DRF would parse: decoded with the charset the
        # request names (in cp500 or UTF-7 no byte of the body is a bracket).
        try:
            text = raw.decode(context.get("encoding") or settings.DEFAULT_CHARSET)
        except (LookupError, UnicodeDecodeError) as exc:
            message = _("JSON parse error - %(detail)s") % {"detail": exc}
            raise exceptions.ParseError(message) from None
        if json_depth_exceeds(text, JSON_MAX_DEPTH):
            raise exceptions.ParseError(too_deep_message())
        context["encoding"] = "utf-8"  # the very text measured, handed on in one known charset
        return super().parse(io.BytesIO(text.encode("utf-8")), media_type, context)
