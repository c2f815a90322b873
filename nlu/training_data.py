"""Training examples from Rasa 3 NLU YAML, with errors that name the file and the line.

The desk keeps its examples in Rasa's format so the same file trains the builtin classifier and
a Rasa server. Only what intent classification needs is read: `- intent:` items with their
`examples` (a `|` block of `- ` lines, or Rasa's list of `text:` items with metadata). Synonyms,
regexes and lookup tables are skipped, and entity annotations (`[Torino](city)`,
`[Torino]{"entity": "city"}`) are reduced to their text, because entities come from
`nlu.entities`, not from a trained extractor.

The YAML is composed into nodes rather than loaded into dicts so every example keeps its line:
a typo in one of 700 examples is then reported where it is, not as "invalid training data".
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from knowledge.text import fold
from sportello.errors import SportelloError

DATA_DIR = Path(__file__).resolve().parent / "data"
BUNDLED_NLU_DATA = DATA_DIR / "nlu.yml"
"""The desk's own training examples."""
BUNDLED_HELDOUT = DATA_DIR / "heldout.tsv"
"""Held-out examples in different words (`intent<TAB>text`): what `sportello eval nlu` uses."""

SUPPORTED_VERSIONS = ("2", "3")
"""Major versions of Rasa's training-data format whose `nlu:` section reads the same."""
SKIPPED_ITEM_KEYS = frozenset({"synonym", "regex", "lookup"})

_ANNOTATION = re.compile(r"\[(?P<text>[^\[\]]+)\](?:\([^()]*\)|\{[^{}]*\})")
_EXAMPLE_LINE = re.compile(r"-(?:\s+(?P<text>.*))?")
_SPACES = re.compile(r"\s+")


class NluDataError(SportelloError, ValueError):
    """Training or evaluation data is unusable; the message names file, line and fix."""


@dataclass(frozen=True)
class Example:
    """One labelled message: what a user might write and the intent it expresses."""

    text: str
    intent: str


def strip_annotations(text: str) -> str:
    """The message as the user would type it: `[2.000 euro](amount)` becomes `2.000 euro`."""
    return _ANNOTATION.sub(lambda match: match.group("text"), text)


def load_training_data(
    path: Path = BUNDLED_NLU_DATA, known_intents: Collection[str] | None = None
) -> list[Example]:
    """Every intent example of a Rasa NLU YAML file, in file order.

    With `known_intents`, an intent outside that set is an error (a typo would otherwise train a
    class the dialogue never handles). The same text under two intents is always an error: the
    classifier cannot learn both, and the evaluation would blame it for the data.
    """
    return _Reader(path, known_intents).read()


class _Reader:
    def __init__(self, path: Path, known_intents: Collection[str] | None) -> None:
        self._path = path
        self._known = known_intents
        self._seen: dict[str, tuple[str, int]] = {}

    def error(self, line: int | None, message: str) -> NluDataError:
        where = f"{self._path}:{line}" if line else f"{self._path}"
        return NluDataError(f"{where}: {message}")

    def read(self) -> list[Example]:
        root = self._compose()
        if not isinstance(root, MappingNode):
            raise self.error(_line(root), "expected a mapping with 'version:' and 'nlu:'")
        sections = {key.value: value for key, value in root.value if isinstance(key, ScalarNode)}
        if "version" in sections:
            self._check_version(sections["version"])
        if "nlu" not in sections:
            raise self.error(1, "no 'nlu:' section — add 'nlu:' followed by '- intent:' items")
        section = sections["nlu"]
        if not isinstance(section, SequenceNode):
            raise self.error(_line(section), "'nlu:' must be a list of '- intent:' items")
        examples: list[Example] = []
        for item in section.value:
            examples.extend(self._item(item))
        if not examples:
            raise self.error(_line(section), "'nlu:' has no intent examples — add some")
        return examples

    def _compose(self) -> Node:
        try:
            text = self._path.read_text(encoding="utf-8")
        except OSError as exc:
            raise self.error(None, f"cannot read ({exc.strerror}) — check the path") from exc
        except UnicodeDecodeError as exc:
            raise self.error(None, "not UTF-8 text — save the file as UTF-8") from exc
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            line = exc.problem_mark.line + 1 if exc.problem_mark else None
            raise self.error(
                line, f"invalid YAML: {exc.problem} — check indentation and quotes"
            ) from exc
        except yaml.YAMLError as exc:
            raise self.error(None, f"invalid YAML: {exc}") from exc
        if root is None:
            raise self.error(1, "the file is empty — start it with 'version: \"3.1\"' and 'nlu:'")
        return root

    def _check_version(self, node: Node) -> None:
        version = node.value if isinstance(node, ScalarNode) else None
        if not isinstance(version, str) or version.split(".")[0] not in SUPPORTED_VERSIONS:
            raise self.error(_line(node), f'unsupported version {version!r} — write version: "3.1"')

    def _item(self, item: Node) -> Iterator[Example]:
        if not isinstance(item, MappingNode):
            raise self.error(_line(item), "each item of 'nlu:' must be '- intent: name'")
        fields = {key.value: value for key, value in item.value if isinstance(key, ScalarNode)}
        if "intent" not in fields:
            if SKIPPED_ITEM_KEYS & fields.keys():
                return
            raise self.error(_line(item), "item without 'intent:' — start it with '- intent:'")
        intent = self._intent(fields["intent"])
        if "examples" not in fields:
            raise self.error(_line(item), f"intent '{intent}' has no 'examples:' — add them")
        found = 0
        for text, line in self._examples(fields["examples"]):
            found += 1
            self._check_unique(text, intent, line)
            yield Example(text, intent)
        if not found:
            raise self.error(_line(fields["examples"]), f"intent '{intent}' has no examples")

    def _intent(self, node: Node) -> str:
        name = node.value.strip() if isinstance(node, ScalarNode) else ""
        if not name:
            raise self.error(_line(node), "'intent:' needs a name, e.g. 'intent: greet'")
        if self._known is not None and name not in self._known:
            raise self.error(
                _line(node),
                f"unknown intent '{name}' — use one of: {', '.join(sorted(self._known))}",
            )
        return str(name)

    def _examples(self, node: Node) -> Iterator[tuple[str, int]]:
        if isinstance(node, ScalarNode):
            yield from self._block(node)
        elif isinstance(node, SequenceNode):
            yield from self._text_items(node)
        else:
            raise self.error(_line(node), "'examples:' must be a '|' block of '- ' lines")

    def _block(self, node: ScalarNode) -> Iterator[tuple[str, int]]:
        # In a literal block every content line is one file line, starting below the "|";
        # folded or quoted scalars lose that mapping, so their lines point at the block.
        literal = node.style == "|"
        first = _line(node) + 1 if literal else _line(node)
        for offset, raw in enumerate(node.value.splitlines()):
            line = first + offset if literal else first
            stripped = raw.strip()
            if not stripped:
                continue
            match = _EXAMPLE_LINE.fullmatch(stripped)
            if match is None:
                raise self.error(line, f"an example must start with '- ', got {stripped!r}")
            yield self._text(match.group("text") or "", line), line

    def _text_items(self, node: SequenceNode) -> Iterator[tuple[str, int]]:
        for item in node.value:
            fields = (
                {k.value: v for k, v in item.value if isinstance(k, ScalarNode)}
                if isinstance(item, MappingNode)
                else {}
            )
            text = fields.get("text")
            if not isinstance(text, ScalarNode):
                raise self.error(_line(item), "each listed example needs 'text:'")
            line = _line(text) + (1 if text.style == "|" else 0)
            yield self._text(text.value, line), line

    def _text(self, raw: str, line: int) -> str:
        text = strip_annotations(raw).strip()
        if not text:
            raise self.error(line, "empty example — write the message or delete the line")
        return text

    def _check_unique(self, text: str, intent: str, line: int) -> None:
        key = _SPACES.sub(" ", fold(text))
        previous = self._seen.setdefault(key, (intent, line))
        if previous[0] != intent:
            raise self.error(
                line,
                f"{text!r} is also an example of '{previous[0]}' (line {previous[1]})"
                " — keep it under one intent",
            )


def _line(node: Node) -> int:
    """1-based line where a node starts."""
    return int(node.start_mark.line) + 1
