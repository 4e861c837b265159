import pytest
from django.core.exceptions import ImproperlyConfigured

from pichanaki.env import env_bool, env_choice, env_int, env_list, env_str, parse_database_url


def test_it_reads_booleans(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLAG", "yes")
    assert env_bool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "0")
    assert env_bool("FLAG", True) is False
    monkeypatch.delenv("FLAG")
    assert env_bool("FLAG", True) is True


def test_it_refuses_a_bad_boolean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG='maybe' is not a boolean"):
        env_bool("FLAG", False)


def test_it_refuses_a_bad_integer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("N", "ten")
    with pytest.raises(ImproperlyConfigured, match="N='ten' is not an integer"):
        env_int("N", 1)
    monkeypatch.setenv("N", "-3")
    with pytest.raises(ImproperlyConfigured, match="below the minimum 0"):
        env_int("N", 1, minimum=0)


def test_it_reads_lists_and_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOSTS", "a.org, b.org,")
    assert env_list("HOSTS", []) == ["a.org", "b.org"]
    monkeypatch.setenv("MODE", "staging")
    with pytest.raises(ImproperlyConfigured, match="must be one of dev, prod"):
        env_choice("MODE", "dev", ("dev", "prod"))


def test_it_reads_secrets_from_files(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s3cr3t\n")
    monkeypatch.setenv("TOKEN_FILE", str(secret))
    assert env_str("TOKEN") == "s3cr3t"
    monkeypatch.setenv("TOKEN_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="TOKEN_FILE: cannot read"):
        env_str("TOKEN")


def test_it_parses_database_urls() -> None:
    db = parse_database_url("postgis://geo:p%40ss@db.example:6543/carbon")
    assert db["ENGINE"] == "django.contrib.gis.db.backends.postgis"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "carbon",
        "geo",
        "p@ss",
        "db.example",
        "6543",
    )
    with pytest.raises(ImproperlyConfigured, match="scheme 'mysql' is not supported"):
        parse_database_url("mysql://x@y/z")
    with pytest.raises(ImproperlyConfigured, match="no database name"):
        parse_database_url("postgis://x@y/")
