"""A question's words the course does not use, read as words it does.

- Spanish: a diminutive the course does not use searches as its base word when the course uses
  that ("huertito" -> "huerto", "cafecito" -> "café").
- Chinese: a word the course never uses is backed off to the shorter words, synonyms and
  characters in it that the course does use ("网老卡" -> 网, 卡; "寄才" -> 快递 by the synonym
  of 寄), so "打包" still meets "包装" when jieba cuts the question differently.

`known` is always the index's term -> IDF mapping: a term is known when a card has it.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.qa.text import ZH_STOP, is_single_han, synonyms

_DIMINUTIVE = (("ecit", 3), ("cit", 3), ("it", 4))  # -ecito, -cito, -ito: shortest base kept


def undiminish(term: str, known: Mapping[str, float]) -> str:
    """A Spanish diminutive the course does not use, as its base word when the course uses that
    ("huertito" -> "huerto", "cafecito" -> "café"); `term` itself otherwise."""
    if term in known:
        return term
    for ending, shortest in _DIMINUTIVE:
        base = term[: -len(ending)]
        if term.endswith(ending) and len(base) >= shortest and base in known:
            return base
    return term


def words_in(term: str, known: Mapping[str, float]) -> list[str]:
    """The known words (two characters or more) an unknown Chinese word backs off to."""
    if term in known:
        return [term]
    return [part for part in back_off([term], known) if part in known and not is_single_han(part)]


def back_off(terms: list[str], known: Mapping[str, float]) -> list[str]:
    """Unknown Chinese words replaced by the shorter words and characters in them that the index
    knows, longest first ("网老卡" -> 网, 卡; "寄才" -> 快递 by the synonym of 寄); kept if none."""
    same = synonyms("zh")
    out: list[str] = []
    for term in terms:
        if term in known:
            out.append(term)
            continue
        parts: list[str] = []
        start = 0
        while start < len(term):
            for end in range(len(term), start, -1):
                piece = same.get(term[start:end], term[start:end])
                if piece in known and piece not in ZH_STOP:
                    parts.append(piece)
                    start = end
                    break
            else:
                start += 1
        out.extend(parts or [term])
    return out
