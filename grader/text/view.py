"""The matching view: the one normalisation pass run before any pattern or prototype matching.

Part of :mod:`grader.text` (which re-exports every name here). :func:`matching_view` drops invisible
characters, maps small capitals and look-alike Cyrillic/Greek letters (:func:`lookalike_words`) to
Latin, and NFKC-normalises, keeping a map from every view offset back to the original offset so
that the injection detector's flags carry spans of the original answer.

Standard library only.
"""

from __future__ import annotations

import re
import unicodedata

from grader.text.normalise import is_invisible

# -- the matching view ----------------------------------------------------------------------------

#: Small capital letters (IPA/phonetic block and Latin Extended-D): NFKC leaves them alone, so
#: "ɪɢɴᴏʀᴇ" would otherwise not read as "ignore".
SMALL_CAPITALS = dict(zip("ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘǫʀꜱᴛᴜᴠᴡʏᴢ", "abcdefghijklmnopqrstuvwxyz"))

#: Cyrillic and Greek letters that look like Latin ones (the confusables an attack uses to slip a
#: word past a pattern: "іgnore" with a Cyrillic "і").
LOOKALIKES = {
    **dict(zip("аеорсухіјѕԁӏһԛԝАВЕКМНОРСТХІЅЈ", "aeopcyxijsdlhqwABEKMHOPCTXISJ")),
    **dict(zip("οαινρκυΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "oaivpkuABEZHIKMNOPTYX")),
}
_VIEW_WORD = re.compile(r"\w+")


def _script_of(ch: str) -> str:
    name = unicodedata.name(ch, "")
    if ch.isascii() or name.startswith("LATIN"):
        return "latin"
    if name.startswith("CYRILLIC"):
        return "cyrillic"
    if name.startswith("GREEK"):
        return "greek"
    return "other"


def lookalike_words(text: str) -> list[tuple[int, int]]:
    """Spans of words written with look-alike letters: Latin words with Cyrillic/Greek look-alikes
    mixed in ("іgnore"), and — when the text is mostly Latin — words made only of look-alikes."""
    if text.isascii():
        return []
    letters = [c for c in text if c.isalpha()]
    latin_text = bool(letters) and sum(1 for c in letters if _script_of(c) == "latin") >= 0.8 * len(letters)
    spans: list[tuple[int, int]] = []
    for m in _VIEW_WORD.finditer(text):
        w = m.group()
        if w.isascii():
            continue
        scripts = {_script_of(c) for c in w if c.isalpha()}
        foreign = [c for c in w if c.isalpha() and _script_of(c) in ("cyrillic", "greek")]
        if not foreign or not all(c in LOOKALIKES for c in foreign):
            continue
        latin = sum(1 for c in w if c.isalpha() and _script_of(c) == "latin")
        if ("latin" in scripts and (latin >= 2 or "cyrillic" in scripts)) or (
            latin == 0 and latin_text and len(foreign) >= 3
        ):
            spans.append((m.start(), m.end()))
    return spans


def matching_view(text: str, lookalikes: list[tuple[int, int]] | None = None) -> tuple[str, list[int] | range]:
    """The normalised text every matcher reads, and for each of its characters the offset of the
    original character it came from (so a match ``view[s:e]`` is ``text[index[s]:index[e - 1] + 1]``).

    One pass: invisible characters (:func:`is_invisible`) are dropped; small capitals become Latin
    letters; the letters of :func:`lookalike_words` (or the spans given) are mapped to Latin; every
    character is NFKC-normalised (fullwidth and mathematical letters → ASCII, ligatures split).
    ASCII text is its own view."""
    if text.isascii():
        return text, range(len(text))
    spans = lookalike_words(text) if lookalikes is None else lookalikes
    mapped: set[int] = set()
    for s, e in spans:
        mapped.update(range(s, e))
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch.isascii():
            out.append(ch)
            index.append(i)
            continue
        if is_invisible(ch):
            continue
        if ch in SMALL_CAPITALS:
            ch = SMALL_CAPITALS[ch]
        elif i in mapped and ch in LOOKALIKES:
            ch = LOOKALIKES[ch]
        for c in unicodedata.normalize("NFKC", ch):
            out.append(c)
            index.append(i)
    return "".join(out), index
