"""The strict loader and the canonical dumper."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commlog.canonical import dump
from commlog.load import LoadError, parse


def test_scalars_follow_yaml_1_2_core() -> None:
    data = parse("a: 2024-10-08 09:30\nb: 0123\nc: yes\nd: 1.5\ne: null\nf: [1, true]\ng: 12:30\nh: 007.5\n")
    assert data == {
        "a": "2024-10-08 09:30",
        "b": "0123",
        "c": "yes",
        "d": 1.5,
        "e": None,
        "f": [1, True],
        "g": "12:30",
        "h": "007.5",
    }


@pytest.mark.parametrize(
    ("text", "rule", "line"),
    [
        ("a: 1\nb:\n  c: 2\n  c: 3\n", "yaml-duplicate-key", 4),
        ("a: &x 1\nb: *x\n", "yaml-anchor", 1),
        ("a: !!binary aGk=\n", "yaml-tag", 1),
        ("a: !!python/object:os.system x\n", "yaml-tag", 1),
        ("? [a]\n: 1\n", "yaml-key-type", 1),
        ("", "yaml-not-mapping", 1),
        ("just text\n", "yaml-not-mapping", 1),
        ("a: 'open\n", "yaml-syntax", 2),
        ("a: 1\n---\nb: 2\n", "yaml-syntax", 2),
    ],
)
def test_bad_input_is_located(text: str, rule: str, line: int) -> None:
    with pytest.raises(LoadError) as caught:
        parse(text)
    assert (caught.value.rule, caught.value.line) == (rule, line)


keys = st.text(string.ascii_lowercase + "_", min_size=1, max_size=8)
texts = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u3000\ufeff\x85\u2028\u2029")
    | st.sampled_from(list(":#,[]{}-'\" ")),
    max_size=30,
)
scalars = st.one_of(
    texts,
    st.integers(-(10**6), 10**6),
    st.booleans(),
    st.none(),
    st.sampled_from(["2024-10-08 09:30", "0123", "yes", "1e3", "09:00-12:00"]),
)
documents = st.dictionaries(
    keys,
    st.recursive(
        scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4), max_leaves=12
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(documents)
def test_canonical_dump_round_trips(data: dict) -> None:
    text = dump(data)
    assert parse(text) == data
    assert dump(parse(text)) == text


yaml_pieces = st.sampled_from(
    [
        *":-[]{}?&*!|>'\"#%@`,. \n\t",
        "\x00",
        "\x1b",
        "\r",
        "\x85",
        "\u2028",
        "\u3000",
        "\ufeff",
        "a",
        "中",
        "1",
        "x",
        "~",
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(), st.text(yaml_pieces, max_size=60)))
def test_any_text_loads_or_is_a_located_finding(text: str) -> None:
    """Whatever the text, the loader returns a mapping or a LoadError with a place: nothing else escapes."""
    try:
        data = parse(text)
    except LoadError as err:
        assert err.rule and err.message and err.line >= 1 and err.column >= 1
        return
    assert isinstance(data, dict)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_decode_or_are_a_located_finding(raw: bytes) -> None:
    from commlog.load import decode

    try:
        parse(decode(raw))
    except LoadError as err:
        assert err.rule and err.line >= 1 and err.column >= 1


any_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029") | st.just("\n")
)
any_documents = st.dictionaries(
    keys,
    st.recursive(
        st.one_of(any_text, st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.booleans(), st.none()),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
        max_leaves=12,
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=500, deadline=None)
@given(any_documents)
def test_canonical_form_round_trips_any_unicode(data: dict) -> None:
    """Every text a record may hold (any character but controls; new lines included) survives fmt unchanged."""
    text = dump(data)
    assert parse(text) == data
    assert dump(parse(text)) == text


@pytest.mark.parametrize(
    "text",
    [
        "remarks: |-\n  各部门：\n  \u3000\u3000请于本周五前提交。\n",
        "remarks: >\n  \u3000\u3000第一段\n\n  \u3000\u3000第二段\n",
        'remarks: "\u3000x"\n',
        "remarks: '各部门：\n\n  \u3000\u3000请于本周五前提交。'\n",
        'remarks: "a:\u3000b"\n',
        '"\u3000key": x\n',
    ],
)
def test_a_full_width_space_inside_text_is_text(text: str) -> None:
    """A U+3000 paragraph indent inside block or quoted text is ordinary Chinese typography."""
    assert any("\u3000" in key + value for key, value in parse(text).items())


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("remarks: \u3000x\n", 1, 10),
        ("a: b\n\u3000c: d\n", 2, 1),
        ("a: |\n  \u3000x\nb:\u3000c\n", 3, 3),
        ("a: '\u3000x'\nb: x\n  \u3000y\n", 3, 3),
        ("a:\n  - x\n \u3000- y\n", 3, 2),
    ],
)
def test_a_full_width_space_outside_text_is_a_finding(text: str, line: int, column: int) -> None:
    with pytest.raises(LoadError) as caught:
        parse(text)
    assert (caught.value.rule, caught.value.line, caught.value.column) == ("yaml-ideographic-space", line, column)


chinese_texts = st.text(
    st.sampled_from(["\u3000", "\n", " ", "中", "文", "：", ":", "-", "#", "a", "\xa0"]), max_size=30
)
chinese_documents = st.dictionaries(
    keys,
    st.recursive(chinese_texts, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3)),
    min_size=1,
    max_size=4,
)


@settings(max_examples=500, deadline=None)
@given(chinese_documents)
def test_canonical_form_round_trips_full_width_spaces(data: dict) -> None:
    """fmt never writes what validate rejects: U+3000 at the start or end of text, after a colon, on a new line."""
    text = dump(data)
    assert parse(text) == data
    assert dump(parse(text)) == text


@pytest.mark.parametrize("value", ["x" * 4100 + " \u3000y", "x" * 4100 + ":\u3000y", "\u3000x", "x\u3000", "\xa0x"])
def test_canonical_form_quotes_text_a_reader_would_misread(value: str) -> None:
    """A line folded before a U+3000 would start with it; a plain value cannot start or end with a space."""
    text = dump({"remarks": value})
    assert text.startswith("remarks: '") and parse(text) == {"remarks": value}


def test_values_a_yaml_12_reader_takes_for_numbers_are_quoted() -> None:
    from commlog.canonical import dump

    for value in ("0x10", "0o17", "0b101", "-0x1F"):
        assert f"'{value}'" in dump({"name": value}), value
