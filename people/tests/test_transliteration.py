import pytest

from people.transliteration import fold_tokens, prefix_upper_bound


@pytest.mark.parametrize("spelling", ["Aigerim", "Aygerim", "Айгерим", "AIGERİM", "aïgerim", "Айгерiм"])
def test_spellings_of_aigerim_fold_to_one_key(spelling: str) -> None:
    assert fold_tokens(spelling) == ["aigerim"]


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Жанар", "Zhanar"),
        ("Хадижа", "Khadija"),
        ("Нұрсұлтан", "Nursultan"),
        ("Юлия", "Yulia"),
        ("Ольга", "Olga"),
        ("Muhammad", "Muhamad"),
        ("Ақмарал", "Akmaral"),
        ("Сейтқали", "Seitkali"),
    ],
)
def test_cyrillic_and_latin_spellings_meet(one: str, other: str) -> None:
    assert fold_tokens(one) == fold_tokens(other)


def test_names_split_into_words_and_drop_punctuation() -> None:
    assert fold_tokens("Подъячев Иван-Петр") == ["podiachev", "ivan", "petr"]


def test_prefix_bound_is_the_next_string_in_the_folded_alphabet() -> None:
    assert prefix_upper_bound("aig") == "aih"
    assert prefix_upper_bound("az") == "b"
    assert prefix_upper_bound("a9") == "aa"
    assert prefix_upper_bound("zz") is None
