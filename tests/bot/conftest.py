"""Fixtures shared by the bot tests: the loopback Bot API stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.botapi_standin import BotApiStandIn


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandIn]:
    server = BotApiStandIn()
    await server.start()
    yield server
    await server.stop()
