"""Creating and revoking API keys (used by the management commands and the admin)."""

import datetime as dt

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from credits.models import ApiKey, BuyerOrganisation
from credits.models.access import generate_key, hash_key


def create_api_key(
    *,
    name: str,
    organisation: BuyerOrganisation | None = None,
    user: User | None = None,
    expires_days: int | None = None,
) -> tuple[ApiKey, str]:
    """A new key for an organisation or a user: the row and the raw key (shown once, never
    stored). Retries when the random prefix collides with an existing key's."""
    expires_at = timezone.now() + dt.timedelta(days=expires_days) if expires_days else None
    for _attempt in range(5):
        new = generate_key()
        api_key = ApiKey(
            name=name,
            organisation=organisation,
            user=user,
            prefix=new.prefix,
            key_hash=hash_key(new.raw),
            expires_at=expires_at,
        )
        api_key.full_clean(exclude=["key_hash", "prefix"])
        try:
            with transaction.atomic():  # savepoint: a prefix collision must not abort the caller
                api_key.save()
        except IntegrityError:
            continue
        return api_key, new.raw
    raise RuntimeError("could not find a free API key prefix")  # pragma: no cover


def revoke_api_key(*, api_key: ApiKey, when: dt.datetime | None = None) -> ApiKey:
    """Revoke now (or at `when`); a revoked key authenticates nothing from then on."""
    api_key.revoked_at = when or timezone.now()
    api_key.save(update_fields=["revoked_at"])
    return api_key
