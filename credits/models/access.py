"""Who may call the buyer API: hashed API keys and the idempotency records of POST requests."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_PREFIX_LENGTH = 8  # hex characters, shown in the admin to tell keys apart
KEY_MARKER = "pch"


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


@dataclass(frozen=True)
class NewKey:
    """A key as printed once to its owner: `pch_<prefix>_<secret>`."""

    prefix: str
    raw: str


def generate_key() -> NewKey:
    prefix = secrets.token_hex(KEY_PREFIX_LENGTH // 2)
    return NewKey(prefix=prefix, raw=f"{KEY_MARKER}_{prefix}_{secrets.token_urlsafe(32)}")


def split_prefix(raw_key: str) -> str | None:
    parts = raw_key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_MARKER or len(parts[1]) != KEY_PREFIX_LENGTH:
        return None
    return parts[1]


class ApiKey(models.Model):
    """A secret that authenticates API calls for a buyer organisation or for one person.

    Only a prefix (to find the row) and the SHA-256 of the whole key are stored; the key itself
    is shown once, when it is created. A key belongs either to a buyer organisation (its calls
    act for the organisation) or to a user (a personal key acting with that user's role).
    """

    name = models.CharField(_("name"), max_length=100)
    organisation = models.ForeignKey(
        "credits.BuyerOrganisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_keys",
        verbose_name=_("buyer organisation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_keys",
        verbose_name=_("user (personal key)"),
    )
    prefix = models.CharField(_("prefix"), max_length=KEY_PREFIX_LENGTH, unique=True)
    key_hash = models.CharField(_("SHA-256 of the key"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=True, user__isnull=False)
                | models.Q(organisation__isnull=False, user__isnull=True),
                name="%(app_label)s_%(class)s_one_owner",
                violation_error_message=_(
                    "An API key belongs either to a buyer organisation or to a user."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def matches(self, raw_key: str) -> bool:
        return hmac.compare_digest(self.key_hash, hash_key(raw_key))

    def is_usable(self) -> bool:
        now = timezone.now()
        if self.revoked_at is not None and self.revoked_at <= now:
            return False
        return self.expires_at is None or self.expires_at > now


class IdempotencyRecord(models.Model):
    """The first successful response to a POST sent with an `Idempotency-Key` header.

    A repeat with the same key and the same request (method, path, body) gets this response
    back; the same key with another request is rejected. The record is written in the same
    database transaction as the operation, so either both exist or neither does.
    """

    principal = models.CharField(_("caller"), max_length=60)
    key = models.CharField(_("idempotency key"), max_length=255)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=500)
    request_hash = models.CharField(_("SHA-256 of the request"), max_length=64)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True)
    response_body = models.JSONField(_("response body"), null=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(
                fields=["principal", "key"],
                name="%(app_label)s_%(class)s_unique_key_per_caller",
                violation_error_message=_("This idempotency key was already used."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.principal} {self.key}"
