import json

import pytest

from portal import create_app
from portal.config import ConfigurationError, ProductionConfig
from tests.conftest import redis_test_url, test_config


def test_production_without_secrets_refuses_to_start(monkeypatch):
    for name in (
        "SECRET_KEY",
        "FIELD_ENCRYPTION_KEYS",
        "BLIND_INDEX_KEY",
        "NOTICE_CODE_KEY",
        "AUDIT_KEYS",
        "DATABASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(
        ConfigurationError, match="SECRET_KEY, FIELD_ENCRYPTION_KEYS, BLIND_INDEX_KEY, NOTICE_CODE_KEY, AUDIT_KEYS"
    ):
        create_app({"PORTAL_ENV": "production"})


def test_production_names_only_what_is_missing(monkeypatch, tmp_path):
    values = test_config(tmp_path)
    values.pop("NOTICE_CODE_KEY")
    for name, value in values.items():
        if name != "PORTAL_ENV":
            monkeypatch.setenv("DATABASE_URL" if name == "SQLALCHEMY_DATABASE_URI" else name, value)
    monkeypatch.delenv("NOTICE_CODE_KEY", raising=False)
    with pytest.raises(ConfigurationError, match=r"set: NOTICE_CODE_KEY\."):
        create_app({"PORTAL_ENV": "production"})


def test_bad_encryption_key_is_a_configuration_error(tmp_path):
    with pytest.raises(ConfigurationError, match="32 bytes"):
        create_app(test_config(tmp_path, FIELD_ENCRYPTION_KEYS="k1:c2hvcnQ="))


def test_unknown_environment_name_is_refused():
    with pytest.raises(ConfigurationError, match="PORTAL_ENV"):
        create_app({"PORTAL_ENV": "staging"})


def test_development_generates_its_own_keys_once(monkeypatch, tmp_path):
    for name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY", "NOTICE_CODE_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/dev.sqlite3")
    first = create_app({"PORTAL_ENV": "development"})
    secrets_file = tmp_path / "secrets.json"
    assert secrets_file.stat().st_mode & 0o777 == 0o600
    second = create_app({"PORTAL_ENV": "development"})
    assert first.config["FIELD_ENCRYPTION_KEYS"] == second.config["FIELD_ENCRYPTION_KEYS"]
    assert json.loads(secrets_file.read_text())["SECRET_KEY"] == first.config["SECRET_KEY"]


def _production_environment(monkeypatch, tmp_path, **overrides) -> None:
    for name, value in {**test_config(tmp_path), **overrides}.items():
        if name != "PORTAL_ENV":
            monkeypatch.setenv("DATABASE_URL" if name == "SQLALCHEMY_DATABASE_URI" else name, value)


@pytest.mark.parametrize("storage", [None, "memory://"])
def test_production_refuses_rate_limits_kept_in_each_process_memory(monkeypatch, tmp_path, storage):
    """With memory:// each gunicorn worker counts on its own: 4 workers let 20 wrong guesses through a limit of 5."""
    _production_environment(monkeypatch, tmp_path)
    if storage is None:
        monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    else:
        monkeypatch.setenv("RATELIMIT_STORAGE_URI", storage)
    with pytest.raises(ConfigurationError, match="RATELIMIT_STORAGE_URI"):
        create_app({"PORTAL_ENV": "production"})


def test_production_accepts_shared_rate_limit_storage(monkeypatch, tmp_path):
    # The check alone: a whole production app here would re-bind the extensions the session app shares.
    _production_environment(monkeypatch, tmp_path, RATELIMIT_STORAGE_URI=redis_test_url(10))
    settings = ProductionConfig()
    settings.check({name: getattr(settings, name) for name in dir(settings) if name.isupper()})


def test_production_refuses_to_start_without_the_compiled_catalogs(monkeypatch, tmp_path):
    """Without them every contractor would read English, and nothing would say so."""
    _production_environment(monkeypatch, tmp_path, RATELIMIT_STORAGE_URI=redis_test_url(10))
    settings = ProductionConfig()
    values = {name: getattr(settings, name) for name in dir(settings) if name.isupper()}
    (tmp_path / "translations" / "es" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "translations" / "es" / "LC_MESSAGES" / "contractor.mo").write_bytes(b"")
    values["BABEL_TRANSLATION_DIRECTORIES"] = str(tmp_path / "translations")
    with pytest.raises(
        ConfigurationError, match=r"missing for: en, pt, fr, hi, fil, sw\. Run `make compile-translations`"
    ):
        settings.check(values)
