"""Messages always fit: parts are measured as Telegram counts them, after escaping."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import re

import pytest

from bot import DeskBot
from bot.render import LRM, MAX_MESSAGE, RLM, bidi, rendered_length, split_message, to_html
from handlers import DialogueEngine, TurnDispatcher
from storage import Database, Outgoing, enqueue
from tests.bot.test_telegram_e2e import telegram_settings
from tests.botapi_standin import BotApiStandIn

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
ENTITY = re.compile(r"&(?:amp|lt|gt);")


def check_parts(text: str) -> list[str]:
    parts = split_message(text)
    for part in parts:
        rendered = to_html(part)
        assert len(rendered.encode("utf-16-le")) // 2 <= MAX_MESSAGE
        # every '&' of the rendered part starts a whole entity: none was cut in two
        assert rendered.count("&") == len(ENTITY.findall(rendered))
    return parts


@pytest.mark.unit
def test_5000_ampersands_arrive_whole_in_parts_that_fit_after_escaping() -> None:
    text = "&" * 5000
    parts = check_parts(text)
    assert "".join(parts) == text
    assert len(parts) == 7  # 5,000 × 5 characters once escaped, 4,096 at most per part
    assert [rendered_length(p) for p in parts[:-1]] == [4095] * 6  # 819 whole '&amp;' each


@pytest.mark.unit
def test_angle_brackets_and_emoji_count_as_telegram_counts_them() -> None:
    text = "<>" * 1500 + "😀" * 3000  # 4 characters per bracket, 2 UTF-16 units per emoji
    parts = check_parts(text)
    assert "".join(parts) == text


@pytest.mark.unit
def test_long_text_breaks_at_lines_then_at_spaces() -> None:
    paragraph = " ".join(["parola"] * 400)  # 2,799 characters
    text = "\n".join([paragraph] * 3)
    parts = check_parts(text)
    assert parts == [paragraph] * 3
    words = " ".join(["welfare&co"] * 900)
    parts = check_parts(words)
    assert " ".join(p.strip() for p in parts) == words
    assert all(not p.startswith(" ") for p in parts)
    assert all(p.rstrip().endswith("welfare&co") for p in parts)  # never inside a word


@pytest.mark.unit
def test_a_short_message_is_one_part_and_untouched() -> None:
    assert split_message("**Ciao** & benvenuto") == ["**Ciao** & benvenuto"]
    assert to_html("**Ciao** & <b>") == "<b>Ciao</b> &amp; &lt;b&gt;"


@pytest.mark.integration
async def test_a_5000_ampersand_message_arrives_whole_over_telegram(
    engine: DialogueEngine, database: Database
) -> None:
    """The outbox's sender (bot/delivery.py) splits as the renderer measures."""
    with database.session() as session:
        enqueue(session, chat_id=4242, message=Outgoing("&" * 5000), key="render", now=NOW)
    standin = BotApiStandIn()
    await standin.start()
    desk = DeskBot(TurnDispatcher(engine), telegram_settings(standin), outbox=database)
    app = desk.build()
    try:
        async with app:
            assert app.post_init is not None and app.post_shutdown is not None
            await app.post_init(app)  # the deliverer takes the pending row at start
            async with asyncio.timeout(30):
                while len(standin.sent_to(4242)) < 7:
                    await asyncio.sleep(0.02)
            await app.post_shutdown(app)
    finally:
        await standin.stop()
    texts = [c.params["text"] for c in standin.sent_to(4242)]
    assert len(texts) == 7  # none refused by the stand-in, none lost
    assert all(len(t) <= MAX_MESSAGE for t in texts)
    assert "".join(html.unescape(t) for t in texts) == "&" * 5000


# -- right to left ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "marked"),
    [
        # a command opening an Arabic line: the line is still right to left, the command whole
        ("- /start — ابدأ", f"{RLM}- {LRM}/start — ابدأ"),
        # a figure with its currency sign keeps the sign on its side; then Arabic again
        ("حتى 5.000 € في السنة", f"{RLM}حتى {LRM}5.000 €{LRM} في السنة"),
        # an Italian measure name inside Arabic, in bold, and a closing bracket
        ("حسب **Bonus asilo nido** (2026)", f"{RLM}حسب **{LRM}Bonus asilo nido** ({LRM}2026)"),
        # a link gets a mark before it and nothing glued after it
        ("اكتب لي: https://t.me/bot?start=x", f"{RLM}اكتب لي: {LRM}https://t.me/bot?start=x"),
        # already marked: not marked twice
        (f"{RLM}مرحبا", f"{RLM}مرحبا"),
    ],
)
def test_arabic_lines_are_marked_right_to_left_and_their_latin_runs_left_to_right(
    text: str, marked: str
) -> None:
    assert bidi(text) == marked


def test_lines_without_arabic_are_left_alone() -> None:
    """An Italian answer inside an Arabic reply stays left to right, byte for byte."""
    text = "**Bonus nido**\nFino a 3.000 € all'anno (2026).\nالمصدر: INPS"
    lines = bidi(text).split("\n")
    assert lines[:2] == text.split("\n")[:2]
    assert lines[2] == f"{RLM}المصدر: {LRM}INPS"
    assert bidi("Solo italiano: /aiuto, 5 €") == "Solo italiano: /aiuto, 5 €"


def test_the_marks_count_against_the_length_limit() -> None:
    line = "مرحبا /aiuto " * 400
    for part in check_parts(line):
        assert to_html(part).startswith(RLM)
