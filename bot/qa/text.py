"""Turn a question or a lesson card into search terms, per language.

Chinese (`zh`) is segmented with jieba in search mode (long words also yield their shorter words,
so "产品照片" matches "照片"); Spanish (`es`) and English (`en`) are split into words and stemmed
with Snowball, so "fotos" and "foto" give the same term. Every language drops punctuation and a
short list of function words. Accents are removed after stemming, so "telefono" typed without its
accent still matches "teléfono"; Spanish stems that spelling changes before e ("empaque",
"golpee") are folded to the verb's ("empac", "golp"). Any other language is treated like English
without a stemmer.
A short list of synonyms per language (synonyms.txt) maps "pictures" to the course's "photos",
"comprador" to "cliente", "图片" to "照片", in questions and cards alike.

Questions are first written out the way the course writes (`as_written`): texting shorthand and
common misspellings per language (shorthand.<language>.txt: "q" -> "que", "ppl" -> "people") and
spoken Chinese ("啥" -> "什么", "俺" -> "我", "中不中" -> "行不行"). Chinese words the course uses
(its titles, card headings, quoted terms) and a short list (words.zh.txt, "建群", "调色") are added
to jieba's dictionary when a course is indexed (`add_words`), so they are not cut into pieces.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Any

import snowballstemmer

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")  # letters and digits, "don't" kept whole
_HAN = re.compile(r"[\u3400-\u9fff]")


def _word_set(words: str) -> frozenset[str]:
    """The whitespace-separated words of `words`."""
    return frozenset(words.split())


EN_STOP = _word_set(
    """
    a about above after again all also am an and any are as at be because been before being
    below between both but by can could did do does doing don't down during each even ever few
    for from further get gets got had has have having he her here hers him his how i if in into
    is it its it's just let me mine more most much must my no nor not now of off on once only or
    other our ours out over own please really same shall she should so some such than that the
    their theirs them then there these they this those through to too under until up us very was
    we were what when where which while who whom why will with would yes yet you your yours im
    i'm i've can't won't make makes made go goes take takes
    """
)

ES_STOP = _word_set(
    """
    a al algo algún alguna algunas alguno algunos ante antes aquí así aun aún cada como cómo con
    contra cual cuál cuales cuáles cuando cuándo de del desde donde dónde durante e el él ella
    ellas ellos en entre era eran es esa esas ese eso esos esta está están estas este esto estos
    estoy fue fueron ha han hasta hay la las le les lo los me mi mis mucho muy más mas nada ni
    no nos nosotros o otra otro para pero poco por porque qué que quien quién quienes se ser si
    sí sin sobre son su sus también tan te tengo ti tu tú tus un una unas uno unos usted ustedes
    y ya yo hace hacer hago puedo puede debo debe poner pongo pone tener tiene ir va voy dar doy
    nomás nomas pues bueno oiga aunque
    """
)

ZH_STOP = _word_set(
    """
    的 了 吗 呢 吧 啊 呀 嘛 哦 么 着 过 地 得 和 与 及 或 跟 把 被 给 让 在 是 有 也 都 就 还
    又 才 我 你 您 他 她 它 我们 你们 他们 她们 咱们 自己 这 那 这个 那个 这些 那些 这样 那样
    这么 那么 怎么 怎样 怎么样 怎么办 什么 为什么 哪 哪里 哪儿 哪个 谁 多少 几 如何 能 会 要
    想 该 应该 可以 可 一个 一 个 些 点 一点 一下 很 太 最 更 比较 非常 但 但是 而 而且 如果
    因为 所以 就是 还是 不 没 没有 啦 嗯 才能 时 上 中 下 里 做 办 对 好 多 到 去 来 用 说
    不会 不能 才 会不会
    请问 请
    我要 我怕 我想 我该 该咋 怎么弄 怎么搞 行不行 不行 行 弄 搞
    可不可以 能不能 要不要 是不是 有没有 对不对 好不好 干什么 做什么
    """
)

STOP_WORDS: dict[str, frozenset[str]] = {"en": EN_STOP, "es": ES_STOP, "zh": ZH_STOP}
_STEMMER_NAMES = {"en": "english", "es": "spanish"}

_jieba: Any = None
_jieba_lock = threading.Lock()


def _segmenter() -> Any:
    """jieba, imported and its dictionary loaded on first use only (it takes about a second)."""
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import logging

                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                for word in _listed_words():  # known before any course is indexed
                    jieba.add_word(word)
                    jieba.suggest_freq(word, tune=True)
                _added.update(_listed_words())
                _jieba = jieba
    return _jieba


def _strip_accents(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=4)
def _stemmer(language: str) -> Any:
    return snowballstemmer.stemmer(_STEMMER_NAMES[language])


# Spanish spelling changes a verb's stem before e: empacar, empaque, empaco; pagar, pague;
# golpear, golpea, golpeen. Snowball keeps "empaqu", "pagu", "golpe": fold them to one stem.
_ES_SPELLING = (
    (re.compile(r"qu$"), "c"),
    (re.compile(r"gu$"), "g"),
    (re.compile(r"(?<=..[^aeiou])e$"), ""),
)


# US and British spellings (the course is written British): "apologize" is read as "apologise"
# before stemming (a word of 7 letters or more, so "size" and "prize" stay), and "our" after two
# letters as "or" in the stem ("colour", "neighbour" meet "color", "neighbor"; "hour", "four" stay).
_EN_IZE = re.compile(r"(?<=\w{3})iz(e|ed|es|ing|ation|ations)$")
_EN_OUR = re.compile(r"(?<=[a-z]{2})our")


# English irregular forms Snowball leaves apart from their base word ("sold" vs "sell"): read as
# the base in cards and questions alike. Forms that are also other words ("left", "saw") are not.
_EN_IRREGULAR = {
    form: base
    for base, forms in (
        ("sell", "sold"),
        ("send", "sent"),
        ("pay", "paid"),
        ("buy", "bought"),
        ("write", "wrote written"),
        ("bring", "brought"),
        ("keep", "kept"),
        ("lose", "lost"),
        ("give", "gave given"),
        ("tell", "told"),
        ("say", "said"),
        ("know", "knew known"),
        ("shoot", "shot"),
        ("shake", "shook shaken"),
        ("spend", "spent"),
        ("grow", "grew grown"),
        ("freeze", "froze frozen"),
        ("fall", "fell fallen"),
        ("choose", "chose chosen"),
        ("begin", "began begun"),
        ("break", "broke"),
        ("steal", "stole stolen"),
        ("child", "children"),
        ("woman", "women"),
        ("knife", "knives"),
        ("goose", "geese"),
        ("tooth", "teeth"),
    )
    for form in forms.split()
}


@lru_cache(maxsize=50_000)
def _stem(word: str, language: str) -> str:
    if language == "en":
        word = _EN_IRREGULAR.get(word, word)
    if language == "en" and len(word) >= 7:
        word = _EN_IZE.sub(r"is\1", word)
    if language in _STEMMER_NAMES:
        word = _stemmer(language).stemWord(word)
    if language == "en":
        word = _EN_OUR.sub("or", word)
    word = _strip_accents(word)
    if language == "es":
        for pattern, replacement in _ES_SPELLING:
            word = pattern.sub(replacement, word)
    return word


@lru_cache(maxsize=1)
def _synonym_groups() -> dict[str, list[list[str]]]:
    """language -> groups of words that mean the same thing, read from synonyms.txt."""
    groups: dict[str, list[list[str]]] = {}
    source = resources.files("bot.qa").joinpath("synonyms.txt").read_text(encoding="utf-8")
    for line in source.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        language, _, words = line.partition(":")
        group = [w.strip().lower() for w in words.split(",") if w.strip()]
        if len(group) > 1:
            groups.setdefault(language.strip(), []).append(group)
    return groups


@lru_cache(maxsize=8)
def synonyms(language: str) -> dict[str, str]:
    """term -> the term it is searched as (its group's first word), for `language`'s terms."""
    out: dict[str, str] = {}
    for group in _synonym_groups().get(language, []):
        terms = [group[0] if language == "zh" else _stem(word, language) for word in group]
        for word, term in zip(group, terms, strict=True):
            out.setdefault(word if language == "zh" else term, terms[0])
    return out


def _words(text: str, language: str) -> list[str]:
    stop = STOP_WORDS.get(language, EN_STOP)
    same = synonyms(language)
    out: list[str] = []
    for match in _WORD.finditer(text.lower()):
        word = match.group().replace("’", "'")
        if word in stop or _strip_accents(word) in stop:
            continue
        term = _stem(word, language)
        out.append(same.get(term, term))
    return out


def _chinese(text: str) -> list[str]:
    same = synonyms("zh")
    out: list[str] = []
    for token in _segmenter().lcut_for_search(text.lower()):
        token = token.strip()
        if not token or token in ZH_STOP:
            continue
        if _HAN.search(token):
            out.append(same.get(token, token))
        elif _WORD.fullmatch(token) and token not in EN_STOP:
            # Latin words and numbers inside Chinese text ("app", "5kg").
            out.append(_stem(token, "en"))
    return out


def tokenize(text: str, language: str) -> list[str]:
    """The search terms of `text` in `language`, in order, duplicates kept (for term counts)."""
    if language == "zh":
        return _chinese(text)
    return _words(text, language)


def question_terms(text: str, language: str) -> list[str]:
    """The search terms of a trainee's question: `tokenize` after `as_written`."""
    return tokenize(as_written(text, language), language)


@lru_cache(maxsize=8)
def _shorthand(language: str) -> dict[str, str]:
    """typed -> meant, from shorthand.<language>.txt (empty for a language without one)."""
    path = resources.files("bot.qa").joinpath(f"shorthand.{language}.txt")
    if not path.is_file():
        return {}
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#") or "=" not in line:
            continue
        typed, _, meant = line.partition("=")
        out[typed.strip().lower()] = meant.strip()
    return out


@lru_cache(maxsize=8)
def _spoken(language: str) -> re.Pattern[str] | None:
    """One pattern for every typed form of a language written without spaces, longest first."""
    typed = sorted(_shorthand(language), key=len, reverse=True)
    return re.compile("|".join(re.escape(t) for t in typed)) if typed else None


_TYPED_WORD = re.compile(r"[^\W_]+(?:['’/][^\W_]+)*/?")


def as_written(text: str, language: str) -> str:
    """`text` with shorthand, misspellings and spoken forms replaced by the course's words.

    Spanish and English: whole words only ("q" but not the q of "queso"); Chinese: text, longest
    form first ("咋整" before "咋").
    """
    table = _shorthand(language)
    if not table:
        return text
    if language == "zh":
        pattern = _spoken(language)
        assert pattern is not None
        return pattern.sub(lambda m: table[m.group()], text)

    def meant(match: re.Match[str]) -> str:
        word = match.group()
        return table.get(word.lower().replace("’", "'"), word)

    return _TYPED_WORD.sub(meant, text)


_QUOTED = re.compile(r"[“\"「『]([\u3400-\u9fff]{2,6})[”\"」』]")
_HEADING = re.compile(r"【([^】]+)】")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")
_HAN_RUN = re.compile(r"(?<![\u3400-\u9fff])[\u3400-\u9fff]{2,4}(?![\u3400-\u9fff])")
_added: set[str] = set()


@lru_cache(maxsize=1)
def _listed_words() -> tuple[str, ...]:
    source = resources.files("bot.qa").joinpath("words.zh.txt").read_text(encoding="utf-8")
    lines = (line.strip() for line in source.splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


def course_words(texts: list[str]) -> set[str]:
    """The Chinese terms a course names itself: titles, card headings (【...】), bold and quoted
    terms, cut at punctuation; runs of 2-4 characters (a longer run is a sentence, not a term)."""
    found: set[str] = set()
    for text in texts:
        named = _HEADING.findall(text) + _BOLD.findall(text) + _QUOTED.findall(text)
        for phrase in named:
            found.update(_HAN_RUN.findall(phrase))
    return found


def add_words(words: set[str] | frozenset[str] = frozenset()) -> None:
    """Teach jieba `words` and the listed words (words.zh.txt), each once per process.

    Called when a course is indexed, before its cards are cut into words; words of an older version
    of the content stay known (harmless: a whole word still yields its parts in search mode).
    """
    new = (set(words) | set(_listed_words())) - _added
    if not new:
        return
    jieba = _segmenter()
    with _jieba_lock:
        listed = set(_listed_words())
        for word in sorted(new):
            jieba.add_word(word)
            if word in listed:  # listed words win over jieba's own cut ("调色调" -> 调色 调)
                jieba.suggest_freq(word, tune=True)
        _added.update(new)


@lru_cache(maxsize=8)
def outside_words(language: str) -> tuple[str, ...]:
    """The words of topics a selling course does not teach (outside.<language>.txt), as typed."""
    path = resources.files("bot.qa").joinpath(f"outside.{language}.txt")
    if not path.is_file():
        return ()
    words: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            words.extend(line.lower().split())
    return tuple(dict.fromkeys(words))


def is_single_han(term: str) -> bool:
    """A single Chinese character: too ambiguous alone to show that a card answers a question."""
    return len(term) == 1 and _HAN.match(term) is not None


def word_frequencies() -> tuple[dict[str, int], int]:
    """jieba's dictionary, everyday Chinese: word -> frequency, and the sum of the frequencies.
    The words `add_words` taught it are in it too, with the frequency jieba gave them."""
    jieba = _segmenter()
    return jieba.dt.FREQ, jieba.dt.total
