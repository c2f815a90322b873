"""`sportello i18n check` and `sportello i18n stamp`: interface translations that are out of date.

Each translation of an interface text records the hash of the Italian it was made from
(handlers/catalog_sources.py). `check` lists, per language, the texts whose Italian has changed
since (exit 1 when there is any; they are said in Italian meanwhile) and the ones not translated
yet (a warning). `stamp LANG KEY...` records that the wordings of those keys now say what
today's Italian says — run it after updating them, or after checking that they still do;
`--all` stamps every translated key of LANG.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from handlers.catalog_sources import read_sources, stamped, write_sources
from handlers.i18n import LOCALES, Translations
from nlu.language import DEFAULT_LANGUAGE, LANGUAGES
from sportello.settings import Settings

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
TRANSLATED = [language for language in LANGUAGES if language != DEFAULT_LANGUAGE]


def add_i18n_commands(commands: Any) -> None:
    """Register `i18n check` and `i18n stamp` on the CLI's subparsers."""
    i18n = commands.add_parser("i18n", help="interface translations").add_subparsers(
        title="i18n commands"
    )
    check = i18n.add_parser("check", help="list translations made from an older Italian text")
    check.set_defaults(run=_check)
    check.add_argument("--locales", type=Path, default=LOCALES, help=argparse.SUPPRESS)
    stamp = i18n.add_parser(
        "stamp", help="record that these translations match today's Italian texts"
    )
    stamp.add_argument("language", choices=TRANSLATED)
    stamp.add_argument("keys", nargs="*", help="text names, as in handlers/locales/LANG.yml")
    stamp.add_argument("--all", action="store_true", help="every translated key of LANGUAGE")
    stamp.add_argument("--locales", type=Path, default=LOCALES, help=argparse.SUPPRESS)
    stamp.set_defaults(run=_stamp)


def _check(args: argparse.Namespace, settings: Settings) -> int:
    catalogs = Translations.load(args.locales)
    stale_total = 0
    for language in TRANSLATED:
        stale = catalogs.stale(language)
        missing = catalogs.missing(language)
        stale_total += len(stale)
        for key in stale:
            print(
                f"handlers/locales/{language}.yml: {key}: translated from an older Italian "
                f"text (said in Italian meanwhile); update it, then "
                f"`sportello i18n stamp {language} {key}`"
            )
        if missing:
            print(
                f"handlers/locales/{language}.yml: warning: {len(missing)} text(s) not "
                f"translated yet: {', '.join(missing)}"
            )
    print(f"{len(TRANSLATED)} catalogs: {stale_total} stale translation(s)")
    return EXIT_PROBLEMS if stale_total else EXIT_OK


def _stamp(args: argparse.Namespace, settings: Settings) -> int:
    catalogs = Translations.load(args.locales)
    translated = catalogs.translated(args.language)
    keys = translated if args.all else args.keys
    unknown = [key for key in keys if key not in translated]
    if unknown or not keys:
        print(
            f"errore: {', '.join(unknown) or 'no key given'}: not translated in "
            f"handlers/locales/{args.language}.yml (give its text names, or --all)"
        )
        return EXIT_USAGE
    sources = args.locales / "sources"
    recorded = read_sources(args.language, sources)
    hashes = stamped(recorded, catalogs.sources(), keys)
    current = {key: value for key, value in hashes.items() if key in translated}
    path = write_sources(args.language, current, sources)
    print(f"{path}: {len(keys)} translation(s) recorded as made from today's Italian")
    return EXIT_OK
