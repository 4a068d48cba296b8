"""Match the Russian name of a treaty (as a law's title gives it) to a catalogue entry."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from monitor.treaties.catalogue import CatalogueEntry

MIN_SCORE = 0.9
"""The least word overlap (Dice coefficient of stems) for a link when no title matches exactly."""
MIN_LEAD = 0.1
"""How far the best treaty must lead the second for such a link."""

# Latin letters that look like Cyrillic ones; swapped inside words that hold Cyrillic
# ("СEД" with a Latin E, "Европейскaя" with a Latin a, in the Treaty Office's own list).
_LOOKALIKES = str.maketrans("aeopcxykmthb", "аеорсхукмтнв")
_SERIES = re.compile(r"\(\s*(?:сед|сдсе)\s*№\s*[0-9]+[а-яa-z]?\s*\)|\(\s*\*\s*\)")
_TOKEN = re.compile(r"[0-9]+[а-яa-z]?|[а-яa-z]+")
_CYRILLIC = re.compile(r"[а-я]")
_STOPWORDS = frozenset("о об обо по и в во к ко на с со для от или между из при за а ее ней нему ним".split())
# "… и протоколов № 1 и № 2 к ней", "…, Дополнительного протокола и Второго дополнительного
# протокола к ней": where the names of protocols start.
_PROTOCOLS = re.compile(r"(?:,|\s+и)\s+(?=(?:(?:[а-я]+ого|[а-я]+ых)\s+)?(?:дополнительн[а-я]*\s+)?протокол)")
_TO_IT = re.compile(r"\s+к\s+(?:ней|нему|ним)\s*$")
_NUMBERS = re.compile(r"№\s*([0-9]+)")


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import snowballstemmer  # loaded when a title is matched, not at every start

    return snowballstemmer.stemmer("russian")


def _fold_word(word: str) -> str:
    return word.translate(_LOOKALIKES) if _CYRILLIC.search(word) else word


def normalise(text: str) -> str:
    """Lower case, ё as е, look-alike Latin letters inside Cyrillic words made Cyrillic,
    quotes and the "(СЕД № 126)" designation removed, spaces collapsed."""
    value = unicodedata.normalize("NFC", text).casefold().replace("ё", "е")
    value = " ".join(_fold_word(word) for word in value.split())
    value = _SERIES.sub(" ", value)
    value = re.sub(r"[\"«»“”„'`]", " ", value)
    return " ".join(value.split())


@lru_cache(maxsize=20000)
def _stem(word: str) -> str:
    """Snowball's stem, taken again until it stays: "устав" and "устава" both end as "уст"
    (once, the first loses a "в" as if it were a gerund ending and the second does not)."""
    stemmer = _stemmer()
    for _ in range(4):
        shorter = stemmer.stemWord(word)
        if shorter == word:
            break
        word = shorter
    return word


def stems(text: str) -> tuple[str, ...]:
    """The word stems (Snowball's Russian stemmer) and numbers of a normalised text, in order."""
    return tuple(_stem(word) for word in _TOKEN.findall(text))


def _content(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(w for w in words if w not in _STOPWORDS)


def _numbers(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(w for w in words if w[:1].isdigit())


@dataclass(frozen=True)
class Link:
    """A treaty a title names, and how: "exact" (same stems in the same order) or "close"."""

    entry: CatalogueEntry
    how: str
    score: float


class RussianMatcher:
    """An index of catalogue entries by the stems of their Russian titles."""

    def __init__(self, entries: list[CatalogueEntry]):
        self.entries = [e for e in entries if e.title_ru]
        self.words = {e.id: stems(normalise(e.title_ru or "")) for e in self.entries}
        self.exact: dict[tuple[str, ...], list[CatalogueEntry]] = {}
        for entry in self.entries:
            self.exact.setdefault(self.words[entry.id], []).append(entry)
        self.content = {e.id: _content(self.words[e.id]) for e in self.entries}

    def match(self, name: str) -> list[Link]:
        """The treaties a Russian treaty name designates: the one it names, then any protocols
        it names with it ("… и протоколов № 1 и № 2 к ней"). Empty unless each is clear."""
        text = normalise(name)
        whole = self.one(text)
        if whole is not None and whole.how == "exact":
            return [whole]  # a treaty whose own title names a protocol ("… и первый Протокол к ней")
        head, *protocols = _PROTOCOLS.split(text)
        main = self.one(head)
        if main is None:
            return []
        links = [main]
        # "Дополнительного протокола и Второго дополнительного протокола к ней": the last
        # "к ней" holds for every protocol named before it.
        shared = _TO_IT.search(protocols[-1]) if protocols else None
        for phrase in protocols:
            if shared and not re.search(r"\sк\s", phrase):
                phrase += shared.group(0)
            for link in self._protocols(phrase, main.entry):
                if link.entry.id not in {l.entry.id for l in links}:
                    links.append(link)
        return links

    def one(self, text: str) -> Link | None:
        """The single treaty a normalised name designates, or None when none clearly wins."""
        words = stems(text)
        exact = self.exact.get(words, [])
        if len(exact) == 1:
            return Link(exact[0], "exact", 1.0)
        if exact:
            return None  # two treaties with one title: no way to tell them apart
        wanted, numbers = _content(words), _numbers(words)
        if not wanted:
            return None
        scored = sorted(((self._dice(wanted, self.content[e.id]), e) for e in self.entries
                         if _numbers(self.words[e.id]) == numbers), key=lambda pair: -pair[0])
        if not scored or scored[0][0] < MIN_SCORE:
            return None
        if len(scored) > 1 and scored[0][0] - scored[1][0] < MIN_LEAD:
            return None
        return Link(scored[0][1], "close", round(scored[0][0], 3))

    @staticmethod
    def _dice(a: frozenset[str], b: frozenset[str]) -> float:
        return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0

    def _protocols(self, phrase: str, main: CatalogueEntry) -> list[Link]:
        """Protocols named after a treaty: "протоколов № 1 и № 2 к ней" (each number to the
        main treaty), "Дополнительного протокола к ней", or "Протокола № 3 к Конвенции …"."""
        target = _TO_IT.search(phrase)
        if not target:
            link = self.one(phrase)
            return [link] if link else []
        named = phrase[:target.start()]
        base = normalise(main.title_ru or "")
        numbers = _NUMBERS.findall(named)
        kind = [w for w in _NUMBERS.sub(" ", named).split() if w != "и"]
        if not numbers and any(w.startswith("протокол") and w.endswith("ов") for w in kind):
            return []  # "и протоколов к ней": which ones is not said
        if numbers:
            wanted = [f"протокол № {n} к {base}" for n in numbers]
        else:
            wanted = [f"{' '.join(kind)} к {base}"]
        return [link for text in wanted if (link := self.one(text)) is not None]
