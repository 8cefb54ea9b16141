"""The identity marker: written, read back through designer edits, and who owns what."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from compiler.deploy.identity import (
    Ownership,
    classify,
    identity_key,
    marked_description,
    read_marker,
    split_key,
)

OURS = "rest_app_3"
names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,20}", fullmatch=True)


@given(text=st.text(max_size=200), workflow=names, namespace=st.none() | names)
def test_the_marker_reads_back_whatever_the_description(text: str, workflow: str,
                                                        namespace: str | None) -> None:
    key = identity_key(workflow, namespace)
    found, rest = read_marker(marked_description(text, key))
    assert found == key
    assert rest == text.replace("\r\n", "\n").rstrip()
    assert split_key(key) == (namespace, workflow)


def test_a_designer_save_with_crlf_and_trailing_blanks_keeps_the_marker() -> None:
    stored = "Sends deals to the head\r\n\r\n[bpl:deal_approval]\r\n  "
    assert read_marker(stored) == ("deal_approval", "Sends deals to the head")


def test_a_marker_inside_the_text_is_not_an_identity() -> None:
    assert read_marker("see [bpl:deal_approval] for details")[0] is None
    assert read_marker("[bpl:deal_approval]\nthen more text")[0] is None
    assert read_marker(None) == (None, "")


def test_ownership() -> None:
    marked = marked_description("x", "deal")
    assert classify(OURS, marked, OURS, None).ownership is Ownership.MANAGED
    assert classify(OURS, marked, OURS, None).workflow == "deal"
    assert classify(OURS, "x", OURS, None).ownership is Ownership.UNMARKED
    assert classify("rest_app_9", marked, OURS, None).ownership is Ownership.OTHER_APP
    assert classify(None, marked, OURS, None).ownership is Ownership.DESIGNER
    other = marked_description("x", "sales/deal")
    assert classify(OURS, other, OURS, None).ownership is Ownership.OTHER_PROJECT
    assert classify(OURS, other, OURS, "sales").workflow == "deal"
    assert classify(OURS, marked, OURS, "sales").ownership is Ownership.OTHER_PROJECT
