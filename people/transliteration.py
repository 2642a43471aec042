"""Folding names to one search key, whatever the script or spelling.

`Айгерим`, `Aigerim`, `Aygerim` and `AIGERİM` all fold to `aigerim`. Steps:
1. anyascii turns Cyrillic (with Kazakh and Kyrgyz letters), Arabic and accented Latin into ASCII;
2. lower case, letters and digits only;
3. spelling variants common in romanised Central Asian and Arabic names are merged (below);
4. doubled letters collapse (Muhammad / Muhamad).
Queries go through the same function, so a prefix of a folded name finds it.
"""

import re

from anyascii import anyascii

# Order matters: longer patterns first.  Each pair merges two ways of writing one sound.
_VARIANTS: tuple[tuple[str, str], ...] = (
    ("dzh", "j"),
    ("zh", "j"),
    ("dj", "j"),
    ("kh", "h"),
    ("gh", "g"),
    ("sch", "sh"),
    ("ph", "f"),
    ("ts", "c"),
    ("tz", "c"),
    ("ou", "u"),
    ("oo", "u"),
    ("ee", "i"),
    ("yu", "iu"),
    ("ya", "ia"),
    ("yo", "io"),
    ("ye", "e"),
    ("y", "i"),
    ("w", "v"),
    ("q", "k"),
    ("x", "ks"),
)
_WORD = re.compile(r"[a-z0-9]+")
_DOUBLE = re.compile(r"(.)\1+")
_INSIDE_WORD = re.compile(r"['`]")


def fold_word(word: str) -> str:
    text = _INSIDE_WORD.sub("", anyascii(word).lower())
    text = "".join(_WORD.findall(text))
    for pattern, replacement in _VARIANTS:
        text = text.replace(pattern, replacement)
    return _DOUBLE.sub(r"\1", text)


def fold_tokens(text: str) -> list[str]:
    """Split on anything that is not a letter or digit (after transliteration) and fold each word."""
    # Soft and hard signs (and Arabic ain/hamza) come out of anyascii as apostrophes: they are inside a word.
    ascii_text = _INSIDE_WORD.sub("", anyascii(text).lower())
    words = _WORD.findall(ascii_text)
    folded = [fold_word(w) for w in words]
    return [w for w in folded if w]


_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def prefix_upper_bound(prefix: str) -> str | None:
    """The smallest string greater than every string starting with `prefix` (folded keys use [0-9a-z] only).

    Lets a prefix search be a plain index range (token >= prefix AND token < bound) on SQLite and PostgreSQL
    alike, whatever the database's collation does with LIKE.
    """
    chars = list(prefix)
    while chars:
        last = chars.pop()
        position = _ALPHABET.find(last)
        if 0 <= position < len(_ALPHABET) - 1:
            return "".join(chars) + _ALPHABET[position + 1]
    return None
