"""Ledger exceptions as API errors, in the shape of `pichanaki.api` (code + message)."""

from collections.abc import Iterator
from contextlib import contextmanager

from rest_framework import exceptions, status

from credits.exceptions import CreditsError, InvalidOperation
from credits.serials import SerialFormatError


class LedgerConflict(exceptions.APIException):
    """A ledger operation refused in the current state (409), with the ledger's error code."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class LedgerInvalid(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_operation"


@contextmanager
def ledger_errors() -> Iterator[None]:
    """Turn `CreditsError`s into 409 (400 for bad arguments) with the ledger's code."""
    try:
        yield
    except InvalidOperation as exc:
        raise LedgerInvalid(detail=exc.message, code=exc.code) from exc
    except CreditsError as exc:
        raise LedgerConflict(detail=exc.message, code=exc.code) from exc


def bad_serial(exc: SerialFormatError) -> exceptions.APIException:
    return exceptions.ValidationError({"serial": [str(exc)]}, code="invalid_serial")
