"""Sending a statement's short text to a family. A real SMS/WhatsApp provider plugs in as a
backend class named by `settings.BENEFITS_MESSAGE_BACKEND`; the console and file backends are
for development and tests (no provider is reachable from here)."""

import json
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

DEFAULT_BACKEND = "benefits.messaging.ConsoleBackend"


class ConsoleBackend:
    def __init__(self, stream=None) -> None:
        import sys

        self.stream = stream or sys.stdout

    def send(self, *, to: str, text: str) -> str:
        self.stream.write(f"[message to {to}] {text}\n")
        return "console"


class FileBackend:
    """Appends one JSON object per message to `settings.BENEFITS_MESSAGE_FILE`."""

    def send(self, *, to: str, text: str) -> str:
        path = Path(getattr(settings, "BENEFITS_MESSAGE_FILE", "var/messages.jsonl"))
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            record = {"to": to, "text": text, "at": timezone.now().isoformat()}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        return str(path)


def get_backend():
    return import_string(getattr(settings, "BENEFITS_MESSAGE_BACKEND", DEFAULT_BACKEND))()


def send_statement_text(statement) -> str:
    """Send a statement's stored SMS text to the family's phone; returns the backend's receipt.

    Raises ValueError when the family has no phone number on record.
    """
    phone = statement.smallholder.phone or statement.smallholder.wallet_phone
    if not phone:
        raise ValueError(f"family {statement.smallholder.dni} has no phone number")
    return get_backend().send(to=phone, text=statement.sms_text)
