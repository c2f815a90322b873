"""Telegram settings: the proactive rate cap, the HTTP client, and what `DeskBot.build` does."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError
from telegram.ext import AIORateLimiter, Application
from telegram.request import BaseRequest, HTTPXRequest

from bot import DeskBot, TelegramSettings
from bot.transport import AiohttpRequest
from handlers import DialogueEngine, TurnDispatcher
from sportello.settings import PROJECT_CONFIG, SettingsError, load_settings
from storage import Database
from tests.botapi_standin import TOKEN

TELEGRAM = "https://api.telegram.org/bot"
SELF_HOSTED = "http://127.0.0.1:8081/bot"


def telegram(**values: Any) -> TelegramSettings:
    return TelegramSettings.model_validate(values)


# -- effective_overall_max_rate -----------------------------------------------------------------


@pytest.mark.unit
def test_by_default_the_cap_is_telegrams_30_per_second() -> None:
    settings = TelegramSettings()
    assert settings.base_url == TELEGRAM and settings.overall_max_rate is None
    assert settings.effective_overall_max_rate() == 30


@pytest.mark.unit
@pytest.mark.parametrize(
    "base_url",
    [
        TELEGRAM,
        "https://api.telegram.org/bot/",
        "https://API.Telegram.org/bot",  # host names are case-insensitive
        "https://api.telegram.org:443/bot",
    ],
)
def test_telegrams_own_server_gets_the_cap(base_url: str) -> None:
    assert telegram(base_url=base_url).effective_overall_max_rate() == 30


@pytest.mark.unit
@pytest.mark.parametrize(
    "base_url",
    [
        SELF_HOSTED,
        "http://localhost:8081/bot",
        "https://bot-api.example.com/bot",
        "https://api.telegram.org.evil.example/bot",  # a look-alike host is not Telegram
        "https://evil.example/api.telegram.org/bot",  # nor is Telegram's name in the path
        "https://api.telegram.org@evil.example/bot",  # nor as user name before another host
        "https://evil.example/bot?host=api.telegram.org",
    ],
)
def test_any_other_server_gets_no_proactive_cap(base_url: str) -> None:
    assert telegram(base_url=base_url).effective_overall_max_rate() == 0


@pytest.mark.unit
@pytest.mark.parametrize(
    ("base_url", "explicit", "effective"),
    [
        (TELEGRAM, 12.5, 12.5),
        (TELEGRAM, 100, 100),  # above Telegram's limit: the operator's choice wins
        (TELEGRAM, 0, 0),  # 0 means never limit, even against Telegram
        (SELF_HOSTED, 25, 25),
        (SELF_HOSTED, 0, 0),
    ],
)
def test_an_explicit_rate_wins(base_url: str, explicit: float, effective: float) -> None:
    settings = telegram(base_url=base_url, overall_max_rate=explicit)
    assert settings.effective_overall_max_rate() == effective


@pytest.mark.unit
@pytest.mark.parametrize("rate", [-1, -0.1, "-30"])
def test_a_negative_rate_is_refused(rate: object) -> None:
    with pytest.raises(ValidationError, match="overall_max_rate"):
        telegram(overall_max_rate=rate)


@pytest.mark.unit
def test_the_rate_through_the_config_file_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OVERALL_MAX_RATE", "BASE_URL"):
        monkeypatch.delenv(f"SPORTELLO__TELEGRAM__{name}", raising=False)
    assert load_settings(PROJECT_CONFIG).telegram.effective_overall_max_rate() == 30
    monkeypatch.setenv("SPORTELLO__TELEGRAM__BASE_URL", SELF_HOSTED)
    assert load_settings(PROJECT_CONFIG).telegram.effective_overall_max_rate() == 0
    monkeypatch.setenv("SPORTELLO__TELEGRAM__OVERALL_MAX_RATE", "7")
    assert load_settings(PROJECT_CONFIG).telegram.effective_overall_max_rate() == 7
    monkeypatch.setenv("SPORTELLO__TELEGRAM__OVERALL_MAX_RATE", "-7")
    with pytest.raises(SettingsError, match="SPORTELLO__TELEGRAM__OVERALL_MAX_RATE"):
        load_settings(PROJECT_CONFIG)


# -- http_client --------------------------------------------------------------------------------


@pytest.mark.unit
def test_http_client_defaults_to_aiohttp() -> None:
    assert TelegramSettings().http_client == "aiohttp"


@pytest.mark.unit
@pytest.mark.parametrize("client", ["aiohttp", "httpx"])
def test_http_client_accepts_aiohttp_and_httpx(client: str) -> None:
    assert telegram(http_client=client).http_client == client


@pytest.mark.unit
@pytest.mark.parametrize("client", ["requests", "AIOHTTP", "httpx2", "", None])
def test_http_client_refuses_anything_else(client: object) -> None:
    with pytest.raises(ValidationError, match="http_client"):
        telegram(http_client=client)


# -- DeskBot.build ------------------------------------------------------------------------------


def build(engine: DialogueEngine, **values: Any) -> Application:  # type: ignore[type-arg]
    settings = telegram(token=TOKEN, **values)
    unused = Database.from_url("sqlite://")  # build() opens nothing
    return DeskBot(TurnDispatcher(engine), settings, outbox=unused).build()


def requests_of(application: Application) -> tuple[BaseRequest, BaseRequest]:  # type: ignore[type-arg]
    """(general, getUpdates): `Bot.request` is public; the polling one has no public accessor."""
    bot = application.bot
    return bot.request, bot._request[0]


def base_limiter_rate(application: Application) -> float | None:  # type: ignore[type-arg]
    """The overall rate AIORateLimiter enforces (None: no overall limiter; PTB internals)."""
    limiter = application.bot.rate_limiter
    assert isinstance(limiter, AIORateLimiter)
    base = limiter._base_limiter
    return None if base is None else float(base.max_rate)


@pytest.mark.integration
def test_build_uses_aiohttp_by_default(engine: DialogueEngine) -> None:
    application = build(engine, read_timeout=7.0, connect_timeout=3.0)
    general, polling = requests_of(application)
    assert isinstance(general, AiohttpRequest) and isinstance(polling, AiohttpRequest)
    assert general is not polling
    assert general.read_timeout == polling.read_timeout == 7.0  # PTB adds the poll time itself
    assert base_limiter_rate(application) == 30  # against api.telegram.org


@pytest.mark.integration
def test_build_uses_ptbs_httpx_when_asked(engine: DialogueEngine) -> None:
    application = build(engine, http_client="httpx", read_timeout=7.0, poll_timeout=20)
    general, polling = requests_of(application)
    assert isinstance(general, HTTPXRequest) and isinstance(polling, HTTPXRequest)
    assert not isinstance(general, AiohttpRequest)
    assert general.read_timeout == 7.0
    assert polling.read_timeout == 7.0  # PTB adds the poll timeout to it on every getUpdates


@pytest.mark.integration
@pytest.mark.parametrize(
    ("values", "rate"),
    [
        ({"base_url": SELF_HOSTED}, None),  # no proactive cap: the server's 429s are obeyed
        ({"base_url": SELF_HOSTED, "overall_max_rate": 25}, 25),
        ({"overall_max_rate": 0}, None),
    ],
)
def test_build_hands_the_effective_rate_to_the_limiter(
    engine: DialogueEngine, values: dict[str, Any], rate: float | None
) -> None:
    assert base_limiter_rate(build(engine, **values)) == rate
