"""The OpenAPI schema documents every answer an operation can give, errors included.

`AutoSchema` (the project's DRF schema class) adds the error answers of `pichanaki.api` to each
operation, all with the `Error` body, by what the operation has: credentials can always be
wrong (401); only protected operations refuse a role (403); input can be invalid (400) where
there is a body, a query or a free-text path value; a path id, a page or an object a write
refers to can be missing (404);
writes can conflict with the current state (409) or come in an unsupported media type (415);
throttled views answer 429.
Codes an operation declares itself (`extend_schema(responses=...)`) are kept as declared.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.permissions import AllowAny

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "Machine-readable reason."},
                "message": {"type": "string", "description": "In the request's language."},
                "fields": {
                    "type": "object",
                    "additionalProperties": {},
                    "description": "Invalid input: the reasons per field, as the client named it.",
                },
            },
        }
    },
}
ERROR_COMPONENT = ResolvedComponent(
    name="Error", type=ResolvedComponent.SCHEMA, object="pichanaki.Error", schema=ERROR_SCHEMA
)
DESCRIPTIONS = {
    "400": _("Invalid input: `error.fields` names each field and the reason."),
    "401": _("Missing, invalid, expired or revoked credentials (see `WWW-Authenticate`)."),
    "403": _("Not allowed for this person's role, or a failed CSRF check of a session."),
    "404": _(
        "Not found, or outside the caller's scope (an id in the path, a reference in the body);"
        " or a page past the end."
    ),
    "409": _("Refused in the current state (workflow, ledger, idempotency key)."),
    "415": _("Unsupported media type of the request body."),
    "429": _("Too many requests; retry after the `Retry-After` seconds."),
}
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class AutoSchema(openapi.AutoSchema):
    def get_operation(self, *args: Any, **kwargs: Any) -> dict | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        self.registry.register_on_missing(ERROR_COMPONENT)
        responses = operation["responses"]
        for code in self._error_codes(operation):
            responses.setdefault(code, error_response(code))
        return operation

    def _error_codes(self, operation: dict) -> list[str]:
        parameters = operation.get("parameters", [])
        places = {parameter["in"] for parameter in parameters}
        names = {parameter["name"] for parameter in parameters}
        free_text_path = any(
            parameter["in"] == "path" and parameter["schema"].get("type") == "string"
            for parameter in parameters
        )
        codes = ["401"]
        if "requestBody" in operation or "query" in places or free_text_path:
            codes.append("400")
        if not any(isinstance(permission, AllowAny) for permission in self.view.get_permissions()):
            codes.append("403")
        if "path" in places or "page" in names or self.method not in SAFE_METHODS:
            codes.append("404")
        if self.method not in SAFE_METHODS:
            codes += ["409", "415"] if "requestBody" in operation else ["409"]
        if self.view.throttle_classes:
            codes.append("429")
        return codes


def error_response(code: str) -> dict:
    """An error answer in the project's shape, for `AutoSchema` and for explicit declarations."""
    return {
        "description": str(DESCRIPTIONS[code]),
        "content": {"application/json": {"schema": ERROR_COMPONENT.ref}},
    }
