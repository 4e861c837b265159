"""`Idempotency-Key` for every POST of the buyer API.

A client that is not sure its POST arrived (timeout, lost connection) sends it again with the
same `Idempotency-Key` header. The first successful response is stored in an
`IdempotencyRecord` in the same database transaction as the ledger operation, so a repeat with
the same key and request gets that response back and changes nothing; the same key with a
different request is rejected with 422 `idempotency_key_reused`. Failed requests (4xx/5xx) are
not stored: their transaction rolls back with the record, and the client may retry with the key.

Two simultaneous requests with one key: the second one's INSERT of the record waits on the
unique index until the first commits, then it finds the first's response and replays it.
"""

import hashlib
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from credits.api.authentication import principal_of
from credits.models.access import IdempotencyRecord
from credits.services.operation import LedgerOperation

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
REPLAY_HEADER = "Idempotent-Replayed"


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = _(
        "This Idempotency-Key was already used with a different request; use a new key."
    )


class IdempotencyKeyInvalid(exceptions.ValidationError):
    default_code = "idempotency_key_invalid"


def request_hash(request: Request) -> str:
    """SHA-256 of method, path and the parsed body with sorted keys (formatting is ignored)."""
    body = json.dumps(request.data, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _claim(request: Request, key: str) -> tuple[IdempotencyRecord, bool]:
    fields = {
        "method": request.method,
        "path": request.path[:500],
        "request_hash": request_hash(request),
    }
    principal = principal_of(request)
    try:
        # A savepoint, so that losing the race to a concurrent twin leaves our transaction usable.
        with transaction.atomic():
            return IdempotencyRecord.objects.create(principal=principal, key=key, **fields), True
    except IntegrityError:
        return IdempotencyRecord.objects.get(principal=principal, key=key), False


def _replay(record: IdempotencyRecord, request: Request) -> Response:
    if record.request_hash != request_hash(request):
        raise IdempotencyKeyReused()
    return Response(
        record.response_body, status=record.response_status, headers={REPLAY_HEADER: "true"}
    )


def _store(record: IdempotencyRecord, response: Response) -> None:
    if not status.is_success(response.status_code):
        record.delete()  # only successes are replayed; the client may retry a failure
        return
    record.response_status = response.status_code
    record.response_body = json.loads(JSONRenderer().render(response.data) or b"null")
    record.save(update_fields=["response_status", "response_body"])


def _key_from(request: Request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise IdempotencyKeyInvalid(
            {HEADER: [_("Send 1 to %(max)d characters.") % {"max": MAX_KEY_LENGTH}]}
        )
    return key


Handler = Callable[..., Response]


def idempotent(handler: Handler) -> Handler:
    """Decorate a POST handler of an APIView. With an `Idempotency-Key`, the whole handler runs
    in one durable transaction together with its idempotency record; the handler calls ledger
    services through `call_service`, which then runs them inside that transaction."""

    @wraps(handler)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = _key_from(request)
        if key is None:
            return handler(view, request, *args, **kwargs)
        # Outermost and durable: the ledger write and the stored response commit together.
        with transaction.atomic(durable=True):
            record, created = _claim(request, key)
            if not created:
                return _replay(record, request)
            request.idempotent_transaction = True
            response = handler(view, request, *args, **kwargs)
            _store(record, response)
            return response

    return wrapper


def call_service(request: Request, service: LedgerOperation[..., Any], **kwargs: Any) -> Any:
    """Run a ledger service for this request.

    Ledger services are the outermost, durable transaction (`ledger_operation`). Under an
    idempotency key the outermost durable transaction is the request's, holding the record and
    the whole service, so the service runs `within_transaction`: the same locks and checks,
    inside it. Without a key it runs as is, and the handler reads its result after the commit,
    outside the ledger's locks.
    """
    if getattr(request, "idempotent_transaction", False):
        return service.within_transaction(**kwargs)
    return service(**kwargs)
