"""Loading Rasa NLU YAML: what is read, what is skipped, and errors that point at the line."""

from pathlib import Path

import pytest

from nlu import Example, NluDataError, load_training_data
from nlu.training_data import strip_annotations

pytestmark = pytest.mark.unit

GOOD = """\
version: "3.1"
# a comment between items
nlu:
- intent: greet
  examples: |
    - ciao
    - buongiorno\t \t

    - salve, sono [Giulia](name)
- synonym: asilo nido
  examples: |
    - nido
- regex: company_code
  examples: |
    - [A-Z]{3}[0-9]{2}
- lookup: city
  examples: |
    - Torino
- intent: ask_question
  metadata:
    owner: content team
  examples: |
    - quanto vale il welfare a [Torino]{"entity": "city", "value": "TO"}?
    - ho [2.000 euro](amount) di [welfare](benefit:welfare aziendale)
- intent: ask_question
  examples:
  - text: |
      rimborso nido
    metadata:
      source: forum
  - text: buoni pasto
responses:
  utter_greet:
  - text: Ciao!
"""


def write(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "nlu.yml"
    path.write_text(content, encoding="utf-8")
    return path


def test_reads_intents_strips_annotations_and_skips_other_items(tmp_path: Path) -> None:
    assert load_training_data(write(tmp_path, GOOD)) == [
        Example("ciao", "greet"),
        Example("buongiorno", "greet"),
        Example("salve, sono Giulia", "greet"),
        Example("quanto vale il welfare a Torino?", "ask_question"),
        Example("ho 2.000 euro di welfare", "ask_question"),
        Example("rimborso nido", "ask_question"),
        Example("buoni pasto", "ask_question"),
    ]


@pytest.mark.parametrize(
    ("annotated", "plain"),
    [
        ("a [Torino](city)", "a Torino"),
        ('a [Torino]{"entity": "city"} e [Asti](city)', "a Torino e Asti"),
        ("[nido](servizio:asilo nido) comunale", "nido comunale"),
        ("[Torino] senza entità", "[Torino] senza entità"),
        ("prezzo [10] (euro)", "prezzo [10] (euro)"),
    ],
)
def test_strip_annotations(annotated: str, plain: str) -> None:
    assert strip_annotations(annotated) == plain


def test_known_intents_are_enforced(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    assert len(load_training_data(path, known_intents={"greet", "ask_question"})) == 7
    with pytest.raises(NluDataError, match=r"nlu.yml:19: unknown intent 'ask_question'"):
        load_training_data(path, known_intents={"greet"})


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", r"nlu.yml:1: the file is empty"),
        ("nlu:\n- intent: greet\n  examples: |\n    - ciao\n  - bad\n", r"nlu.yml:5: invalid YAML"),
        ("- intent: greet\n", r"nlu.yml:1: expected a mapping"),
        ('version: "3.1"\nrules: []\n', r"nlu.yml:1: no 'nlu:' section"),
        ('version: "1.0"\nnlu: []\n', r"nlu.yml:1: unsupported version '1.0'"),
        ("nlu:\n  intent: greet\n", r"nlu.yml:2: 'nlu:' must be a list"),
        ("nlu: []\n", r"nlu.yml:1: 'nlu:' has no intent examples"),
        ("nlu:\n- ciao\n", r"nlu.yml:2: each item of 'nlu:' must be '- intent: name'"),
        ("nlu:\n- examples: |\n    - ciao\n", r"nlu.yml:2: item without 'intent:'"),
        ("nlu:\n- intent: ''\n  examples: |\n    - ciao\n", r"nlu.yml:2: 'intent:' needs a name"),
        ("nlu:\n- intent: greet\n", r"nlu.yml:2: intent 'greet' has no 'examples:'"),
        ("nlu:\n- intent: greet\n  examples: |\n\n", r"nlu.yml:3: intent 'greet' has no examples"),
        (
            "nlu:\n- intent: greet\n  examples: |\n    - ciao\n    salve\n",
            r"nlu.yml:5: an example must start with '- ', got 'salve'",
        ),
        ("nlu:\n- intent: greet\n  examples: |\n    - ciao\n    - \n", r"nlu.yml:5: empty example"),
        ("nlu:\n- intent: greet\n  examples: |\n    - [ ](city)\n", r"nlu.yml:4: empty example"),
        (
            "nlu:\n- intent: greet\n  examples:\n    a: b\n",
            r"nlu.yml:4: 'examples:' must be a '\|' block",
        ),
        (
            "nlu:\n- intent: greet\n  examples:\n  - metadata: {}\n",
            r"nlu.yml:4: each listed example needs 'text:'",
        ),
        (
            "nlu:\n- intent: affirm\n  examples: |\n    - Ok\n"
            "- intent: deny\n  examples: |\n    - no\n    - ok\n",
            r"nlu.yml:8: 'ok' is also an example of 'affirm' \(line 4\)",
        ),
    ],
)
def test_malformed_files_name_file_and_line(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(NluDataError, match=message):
        load_training_data(write(tmp_path, content))


def test_missing_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(NluDataError, match=r"missing.yml: cannot read"):
        load_training_data(tmp_path / "missing.yml")
    binary = tmp_path / "binary.yml"
    binary.write_bytes(b"\xff\xfe\x00nlu")
    with pytest.raises(NluDataError, match=r"binary.yml: not UTF-8"):
        load_training_data(binary)
