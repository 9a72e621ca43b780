"""The SSRF policy of webhook URLs: which hosts and addresses a delivery may go to."""

from __future__ import annotations

import ipaddress

import pytest

from server.runs.webhook_policy import HostPolicy, Refused, parse_hosts
from server.runs.webhooks import sign


def policy(*hosts: str) -> HostPolicy:
    return HostPolicy(parse_hosts(list(hosts)))


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://127.0.0.1:8000/hook", "loopback"),
        ("http://[::1]/hook", "loopback"),
        ("http://10.1.2.3/hook", "private"),
        ("http://192.168.0.7/hook", "private"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://0.0.0.0/hook", "unspecified"),
        ("http://240.0.0.1/hook", "reserved"),
        ("http://[::ffff:127.0.0.1]/hook", "loopback"),  # an IPv4-mapped address is its IPv4 address
        ("http://localhost:9/hook", "loopback"),  # after DNS resolution
    ],
)
async def test_non_public_addresses_are_refused_unless_listed(url: str, kind: str) -> None:
    with pytest.raises(Refused, match=kind):
        await policy().resolve(url)


async def test_a_listed_address_or_name_is_allowed_even_if_private() -> None:
    target = await policy("127.0.0.1").resolve("http://127.0.0.1:8123/hook?x=1")
    assert (str(target.address), target.port, target.path) == ("127.0.0.1", 8123, "/hook?x=1")
    assert target.pinned_url == "http://127.0.0.1:8123/hook?x=1"
    assert (await policy("10.0.0.0/8").resolve("http://10.9.8.7/")).address == ipaddress.ip_address("10.9.8.7")
    named = await policy("localhost").resolve("http://localhost:8080/h")
    assert named.address.is_loopback and named.host_header == "localhost:8080"


async def test_a_wildcard_does_not_open_private_addresses() -> None:
    with pytest.raises(Refused, match="loopback"):
        await policy("*.localhost", "localhost.example").resolve("http://127.0.0.2/")


async def test_with_a_list_only_listed_hosts_are_called() -> None:
    with pytest.raises(Refused, match="not in THINKROOM_WEBHOOK_HOSTS"):
        await policy("hooks.example.com").resolve("http://93.184.216.34/hook")
    assert (await policy("93.184.216.0/24").resolve("https://93.184.216.34/h")).port == 443


async def test_public_address_allowed_without_a_list() -> None:
    target = await policy().resolve("https://93.184.216.34/hook")
    assert target.host_header == "93.184.216.34" and target.scheme == "https"


@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd", "http:///nohost", "http://[::1/x"])
async def test_only_http_urls_with_a_host(url: str) -> None:
    with pytest.raises(Refused):
        await policy("example.com").resolve(url)


def test_a_bad_hosts_entry_fails_naming_it() -> None:
    with pytest.raises(ValueError, match="host:8080"):
        parse_hosts(["ok.example", "host:8080"])


def test_signature_is_hmac_sha256_of_timestamp_and_body() -> None:
    import hashlib
    import hmac

    body = b'{"run_id": "r"}'
    expected = hmac.new(b"k", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert sign("k", "1700000000", body) == f"sha256={expected}"
    assert sign("k", "1700000001", body) != sign("k", "1700000000", body)


def test_bad_webhook_settings_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    from agents.settings import SettingsError
    from server.runs.webhooks import load_webhook_settings

    monkeypatch.setenv("THINKROOM_WEBHOOK_HOSTS", "hooks.example.com,bad:host")
    with pytest.raises(SettingsError, match=r"THINKROOM_WEBHOOK_HOSTS: .*bad:host"):
        load_webhook_settings()
    monkeypatch.setenv("THINKROOM_WEBHOOK_HOSTS", '["hooks.example.com", "10.0.0.0/8"]')
    monkeypatch.setenv("THINKROOM_WEBHOOK_ATTEMPTS", "0")
    with pytest.raises(SettingsError, match="THINKROOM_WEBHOOK_ATTEMPTS"):
        load_webhook_settings()
    monkeypatch.setenv("THINKROOM_WEBHOOK_ATTEMPTS", "2")
    assert load_webhook_settings().hosts == ["hooks.example.com", "10.0.0.0/8"]
