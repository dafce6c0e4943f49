"""The reference-answer splitter cuts inline enumerations into criteria (grader.rubric._reference): numbered,
lettered and roman items, numbered labels ("Hop 1: … Hop 2: …") and label runs ("Slow start: … Congestion
Avoidance: …") written without sentence punctuation — and leaves numbers that are not a list alone."""

from __future__ import annotations

import pytest

from grader.rubric.build import criteria_from_reference


def texts(reference: str) -> list[str]:
    return [c.text for c in criteria_from_reference(reference)]


@pytest.mark.parametrize(
    "reference, expected",
    [
        (  # inline numbered items, no sentence punctuation between them
            "1. keep a cache of recent queries 2. shard the index by term 3. replicate every shard twice",
            ["keep a cache of recent queries", "shard the index by term", "replicate every shard twice"],
        ),
        (  # "1)" items, glued to the text
            "1)compress the images before upload 2)resize them on the server 3)serve them from a CDN",
            ["compress the images before upload", "resize them on the server", "serve them from a CDN"],
        ),
        (  # lettered items
            "a) the sender must buffer frames b) the receiver must acknowledge frames c) both use sequence numbers",
            ["the sender must buffer frames", "the receiver must acknowledge frames", "both use sequence numbers"],
        ),
        (  # roman items after a heading label
            "Benefits: i) less duplication of packets ii) less congestion on the links iii) better use of bandwidth",
            ["Benefits: less duplication of packets", "less congestion on the links", "better use of bandwidth"],
        ),
        (  # numbered labels
            "Step 1: mix flour and water into a dough Step 2: let the dough rest an hour Step 3: bake it hot",
            ["Step 1: mix flour and water into a dough", "Step 2: let the dough rest an hour", "Step 3: bake it hot"],
        ),
        (  # a run of labels, each a capitalised phrase and a colon
            "Slow start: the window doubles every round trip until the threshold Congestion Avoidance: the window "
            "grows by one segment per round trip",
            [
                "Slow start: the window doubles every round trip until the threshold",
                "Congestion Avoidance: the window grows by one segment per round trip",
            ],
        ),
    ],
)
def test_inline_enumerations_become_criteria(reference, expected):
    crits = criteria_from_reference(reference)
    assert [c.text for c in crits] == expected
    assert all(piece in reference for c in crits for piece in c.covers)  # still verbatim pieces
    assert len({c.id for c in crits}) == len(crits)


@pytest.mark.parametrize(
    "reference",
    [
        "The diameter shrinks from 300 m to 30 m when the speed grows by a factor of 10",
        "Addresses 1.0.0.0 to 126.255.255.255 are usable and 127.x.y.z is reserved for loopback",
        "It needs version 2. of the protocol and a buffer of 3 frames",  # "2." without a "1." before it
        "The answer is (a) and the proof follows from step b) alone",  # a lone letter is not a list
        "Note the ratio 3:2 between the rates and the 1:1 case",  # colons between digits are no labels
        "TCP is reliable: it retransmits lost segments and the receiver acknowledges them",  # one label, no run
        "Result: the Sender waits for the ACK and then sends",  # a capitalised word alone before no colon
    ],
)
def test_numbers_and_colons_that_are_not_lists_stay_whole(reference):
    assert texts(reference) == [reference]


def test_items_keep_their_order_and_sentences_still_split():
    ref = "Two steps happen here. 1. the client sends a request 2. the server answers it. Then the client closes."
    assert texts(ref) == [
        "Two steps happen here",
        "the client sends a request",
        "the server answers it",
        "Then the client closes",
    ]


def test_saf_references_with_inline_lists_split_into_their_items():
    """The three SAF training references written as inline lists (a numbered list, "Hop N:" labels, two
    phase labels) become one criterion per item; the first criterion keeps the id it had as the only one."""
    from pathlib import Path

    from grader.agreement.measure import rubric_for, saf_bank

    here = Path(__file__).resolve()
    found = [p / "shared/datasets/saf/saf_en.csv" for p in here.parents[2:4]]  # a checkout, or a worktree
    saf = next((f for f in found if f.is_file()), None)
    if saf is None:
        pytest.skip("SAF not next to the repository")
    bank = saf_bank(saf, split="training")
    ids = {q: [c.id for c in rubric_for(bank, q).criteria] for q in ("5.12", "5.7", "6.3")}
    assert ids == {
        "5.12": ["use-temporarily-valid", "identify-connections-individually", "identify-pdus-individually"],
        "5.7": ["hop-1-reason", "hop-2-reason", "hop-3", "hop-4-reason"],
        "6.3": ["slow-start-ss", "congestion-avoidance-cwnd"],
    }
