"""Fold text the way people write around filters, so one pattern catches every spelling.

`Folder.fold(clause)`: NFKC (full-width → ASCII), casefold, traditional → simplified (OpenCC),
separators / emoji / punctuation between characters removed (quotation marks kept as `"`),
Chinese numerals → digits where they count something, letter codes and known evasions mapped
to one canonical word (vx / v信 / 卫星 → 微信, 扣扣 → qq), and sound-alikes via pypinyin
(薇信 / 威信 → 微信, 验征码 → 验证码). Patterns are written against folded text.
"""

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping

import ahocorasick
from opencc import OpenCC
from pypinyin import Style, pinyin

QUOTE = '"'
_QUOTES = set('“”「」『』‘’"《》〈〉')
_KEEP_SYMBOLS = {"%"}

# Evasions every policy gets; a policy file may add more (`aliases`, `sound_alike`).
DEFAULT_ALIASES: dict[str, list[str]] = {
    "微信": ["vx", "wx", "v信", "weixin", "wechat", "卫星", "威心", "徽信", "wei信", "v芯", "vx号"],
    "加微信": ["加v", "加wei"],
    "qq": ["扣扣", "企鹅号", "抠抠", "q号"],
    "验证码": ["yzm", "验正码"],
    "支付宝": ["zfb"],
    "100%": ["百分之百", "百分百"],
}
DEFAULT_SOUND_ALIKE = [
    *("微信", "验证码", "支付宝", "转账", "返现", "好评", "收款码", "二维码", "密码"),
]

_DIGITS = {"零": 0, "〇": 0, "幺": 1, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
_NUMERAL_RUN = re.compile(r"[零〇幺一二两三四五六七八九十百]+")
# A numeral counts something (and becomes digits) before one of these units.
_UNITS = "元块天日号星位折倍%年月周次件分秒毛角岁小"


@functools.cache
def _t2s() -> OpenCC:
    return OpenCC("t2s")


@functools.lru_cache(maxsize=4096)
def readings(char: str) -> frozenset[str]:
    """Every toneless pinyin reading of one Chinese character (empty for anything else)."""
    if not ("\u3400" <= char <= "\u9fff"):
        return frozenset()
    return frozenset(pinyin(char, style=Style.NORMAL, heteronym=True)[0])


def _numeral_value(run: str) -> str | None:
    """Digits for a Chinese numeral run (一三八 → 138, 二十五 → 25), None if not a number."""
    if "百" not in run and "十" not in run:
        return "".join(str(_DIGITS[ch]) for ch in run)
    total, current = 0, 0
    for ch in run:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
    return str(total + current)


def _numerals(text: str) -> str:
    """Chinese numerals → digits when they count something or spell a number (≥ 3 digits)."""

    def swap(match: re.Match) -> str:
        run = match.group(0)
        after = text[match.end() : match.end() + 1]
        digits_only = all(ch in _DIGITS for ch in run)
        if (after and after in _UNITS) or (digits_only and len(run) >= 3):
            value = _numeral_value(run)
            return value if value is not None else run
        return run

    return _NUMERAL_RUN.sub(swap, text)


def _keep(char: str) -> bool:
    if char in _KEEP_SYMBOLS:
        return True
    category = unicodedata.category(char)
    return category[0] in "LN"


def strip_separators(text: str) -> str:
    """Drop spaces, emoji, symbols and punctuation; quotation marks become one `"`.

    Between two ASCII letters or digits one space stays, as a word boundary for letter codes
    ("vx abc123"); `Folder.fold` removes it after mapping the codes.
    """
    out: list[str] = []
    gap = False
    for char in text:
        if char in _QUOTES:
            out.append(QUOTE)
            gap = False
        elif _keep(char):
            if gap and out and out[-1].isascii() and out[-1].isalnum() and char.isascii():
                out.append(" ")
            out.append(char)
            gap = False
        else:
            gap = True
    return "".join(out)


def basic_fold(text: str) -> str:
    """NFKC, casefold, traditional → simplified, separators out, numerals → digits."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = _t2s().convert(text)
    return _numerals(strip_separators(text)).replace(" ", "")


_SPELLED = re.compile(r"\b(\w) (?=\w\b)", re.ASCII)


def _spaced_fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").casefold()
    spaced = _numerals(strip_separators(_t2s().convert(text)))
    return _SPELLED.sub(r"\1", spaced)  # letters spelled out one by one: "v x" → "vx"


class Folder:
    """Folds clauses with a fixed set of aliases and sound-alike words (build once, reuse)."""

    def __init__(
        self,
        aliases: Mapping[str, Iterable[str]] | None = None,
        sound_alike: Iterable[str] | None = None,
    ) -> None:
        table: dict[str, list[str]] = {k: list(v) for k, v in DEFAULT_ALIASES.items()}
        for canonical, variants in (aliases or {}).items():
            table.setdefault(canonical, []).extend(variants)
        self._automaton = ahocorasick.Automaton()
        for canonical, variants in table.items():
            target = basic_fold(canonical)
            for variant in variants:
                key = basic_fold(variant)
                if key and key != target:
                    self._automaton.add_word(key, (len(key), target))
        self._has_aliases = len(self._automaton) > 0
        if self._has_aliases:
            self._automaton.make_automaton()
        # Sound-alike targets indexed by their first syllable: syllables → canonical word.
        self._sounds: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for word in [*DEFAULT_SOUND_ALIKE, *(sound_alike or [])]:
            folded = basic_fold(word)
            syllables = tuple(pinyin(folded, style=Style.NORMAL))
            if len(folded) >= 2 and all(len(s) == 1 for s in syllables):
                key = tuple(s[0] for s in syllables)
                entry = (key, folded)
                if entry not in self._sounds.setdefault(key[0], []):
                    self._sounds[key[0]].append(entry)

    def _replace_aliases(self, text: str) -> str:
        if not self._has_aliases:
            return text
        # Overlapping codes (加v信): the one that ends last wins, then the longer one.
        found = self._automaton.iter(text)
        candidates = sorted(
            ((end - length + 1, end + 1, target) for end, (length, target) in found),
            key=lambda hit: (-hit[1], hit[0]),
        )
        chosen: list[tuple[int, int, str]] = []
        for start, stop, target in candidates:
            if self._inside_ascii_word(text, start, stop):
                continue
            if all(stop <= a or start >= b for a, b, _ in chosen):
                chosen.append((start, stop, target))
        out, position = [], 0
        for start, stop, target in sorted(chosen):
            out.append(text[position:start])
            out.append(target)
            position = stop
        out.append(text[position:])
        return "".join(out)

    @staticmethod
    def _inside_ascii_word(text: str, start: int, stop: int) -> bool:
        """A letter code glued to a longer ASCII word (vxworks, 加vx for 加v) is not the code."""
        before = text[start - 1] if start else ""
        after = text[stop] if stop < len(text) else ""
        glued_before = text[start].isascii() and before.isascii() and before.isalpha()
        glued_after = text[stop - 1].isascii() and after.isascii() and after.isalpha()
        if text[start:stop].isascii() and not text[start:stop].isalpha():
            return False
        return glued_before or glued_after

    def _replace_sounds(self, text: str) -> str:
        if not self._sounds:
            return text
        out, index = [], 0
        while index < len(text):
            replaced = False
            for syllable in readings(text[index]):
                for key, target in self._sounds.get(syllable, ()):
                    window = text[index : index + len(key)]
                    if len(window) == len(key) and all(
                        key[k] in readings(window[k]) for k in range(len(key))
                    ):
                        out.append(target)
                        index += len(key)
                        replaced = True
                        break
                if replaced:
                    break
            if not replaced:
                out.append(text[index])
                index += 1
        return "".join(out)

    @functools.lru_cache(maxsize=8192)  # noqa: B019 - a Folder lives as long as its policy
    def fold(self, text: str) -> str:
        """The folded form of one clause (see the module docstring)."""
        spaced = self._replace_aliases(_spaced_fold(text))
        return self._replace_sounds(self._replace_aliases(spaced.replace(" ", "")))


@functools.cache
def default_folder() -> Folder:
    """A folder with the built-in evasions only."""
    return Folder()
