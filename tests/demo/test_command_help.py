"""The demo's commands print their translated help (`manage.py seed_demo --help`)."""

import pytest
from django.core.management import load_command_class
from django.utils import translation


@pytest.mark.parametrize(
    ("name", "words"),
    [("seed_demo", "Captura de Carbono Pichanaki"), ("ensure_demo_users", "gestor")],
)
def test_the_help_prints_in_the_language_it_runs_in(name: str, words: str) -> None:
    command = load_command_class("demo", name)
    with translation.override("es"):
        text = command.create_parser("manage.py", name).format_help()
    assert words in text and f"manage.py {name}" in text
