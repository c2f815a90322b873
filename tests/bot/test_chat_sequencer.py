"""Replies of one chat never overtake each other; other chats never wait."""

from __future__ import annotations

import asyncio

import pytest

from bot.application import ChatSequencer


async def test_turns_of_one_chat_run_one_at_a_time_in_arrival_order() -> None:
    sequencer = ChatSequencer()
    order: list[str] = []
    first_inside = asyncio.Event()
    release_first = asyncio.Event()

    async def first() -> None:
        async with sequencer.turn(1):
            order.append("first in")
            first_inside.set()
            await release_first.wait()
            order.append("first out")

    async def second() -> None:
        async with sequencer.turn(1):
            order.append("second in")

    tasks = [asyncio.create_task(first())]
    await first_inside.wait()
    tasks.append(asyncio.create_task(second()))
    await asyncio.sleep(0)  # the second turn is now waiting for the first
    assert order == ["first in"]
    release_first.set()
    await asyncio.gather(*tasks)
    assert order == ["first in", "first out", "second in"]
    assert len(sequencer) == 0  # nothing left behind once a chat is quiet


async def test_other_chats_do_not_wait() -> None:
    sequencer = ChatSequencer()
    held = asyncio.Event()
    release = asyncio.Event()

    async def slow_chat() -> None:
        async with sequencer.turn(1):
            held.set()
            await release.wait()

    task = asyncio.create_task(slow_chat())
    await held.wait()
    async with asyncio.timeout(1):
        async with sequencer.turn(2):
            pass  # entered at once although chat 1 is busy
    release.set()
    await task
    assert len(sequencer) == 0


async def test_a_failing_turn_releases_its_chat() -> None:
    sequencer = ChatSequencer()
    with pytest.raises(RuntimeError):
        async with sequencer.turn(7):
            raise RuntimeError("engine failed")
    async with asyncio.timeout(1), sequencer.turn(7):
        pass
    assert len(sequencer) == 0
