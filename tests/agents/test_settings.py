"""Configuration: env prefix, OLLAMA_HOST, and start-up errors that name the setting."""

from __future__ import annotations

import pytest

from agents.settings import Settings, SettingsError, load_settings


def test_env_prefix_and_ollama_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THINKROOM_NUM_CTX", "4096")
    monkeypatch.setenv("OLLAMA_HOST", "gpu-box:11434")
    settings = load_settings()
    assert settings.num_ctx == 4096
    assert settings.ollama_host == "http://gpu-box:11434"


def test_dotenv_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("THINKROOM_BACKEND=embedded\n")
    assert Settings().backend == "embedded"


@pytest.mark.parametrize(
    ("var", "value"), [("THINKROOM_BACKEND", "gpt5"), ("THINKROOM_PORT", "99999"), ("THINKROOM_NUM_CTX", "lots")]
)
def test_bad_value_names_the_setting(monkeypatch: pytest.MonkeyPatch, var: str, value: str) -> None:
    monkeypatch.setenv(var, value)
    with pytest.raises(SettingsError, match=var):
        load_settings()


@pytest.mark.parametrize(
    "raw", ['["http://a.example:3000", "http://b.example"]', "http://a.example:3000, http://b.example"]
)
def test_cors_origins_accept_json_or_commas(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("THINKROOM_CORS_ORIGINS", raw)
    assert load_settings().cors_origins == ["http://a.example:3000", "http://b.example"]


def test_a_broken_json_list_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THINKROOM_EXTRA_GRAPHS", '["unclosed"')
    with pytest.raises(SettingsError, match="THINKROOM_EXTRA_GRAPHS"):
        load_settings()


@pytest.mark.parametrize("value", ["", "  "])
def test_empty_api_key_is_refused_not_treated_as_no_auth(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("THINKROOM_API_KEY", value)
    with pytest.raises(SettingsError, match=r"THINKROOM_API_KEY: .*empty"):
        load_settings()


def test_unset_api_key_means_no_auth(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("THINKROOM_API_KEY", raising=False)
    assert load_settings().api_key is None
