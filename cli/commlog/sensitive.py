"""Detectors of personal and sensitive data in free text (PIPL: identity numbers, cards, phones, ...).

Each detector is a small named function that takes one candidate (a match of the one combined pattern over
the normalised text) and says whether it is what it looks like; checksums and dates keep false positives down,
and every pattern is bounded by a character that is not an ASCII letter or digit, so a number inside a longer
run (an order or batch number, a commit hash) is never taken. Full-width digits, letters, separators and spaces
are normalised first, one character for one, so offsets in the normalised text are offsets in the original.

:func:`scan` reads a text once and yields :class:`Hit`\\ s; :func:`mask` writes a value as it may be shown
(``110105********123X``); :func:`mask_text` replaces every value in a text that a reader's clearance may not see.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import Any, Literal

CLEARANCE = {"public": 0, "internal": 1, "confidential": 2, "secret": 3}

Confidence = Literal["high", "low"]
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


@dataclass(frozen=True)
class TextFile:
    """An attachment read as text, with how to write it back in its own encoding."""

    text: str
    encoding: str
    bom: bytes = b""

    def encode(self, text: str) -> bytes:
        return self.bom + text.encode(self.encoding)


def as_text(raw: bytes, truncated: bool = False) -> TextFile | None:
    """``raw`` as text, or None when it is not: by its byte order mark (UTF-8, UTF-16 LE or BE), else as UTF-8 or
    gb18030 without a NUL. ``truncated``: ``raw`` is the head of a longer file (a character cut at its end is dropped).

    What an attachment is, text among the rest, is :func:`commlog.documents.read_attachment`'s decision (the rule
    sensitive-data scans by it, the site masks by it)."""
    bom = b""
    encodings: tuple[str, ...] = ("utf-8", "gb18030")
    for mark, encoding in _BOMS:
        if raw.startswith(mark):
            bom, encodings = mark, (encoding,)
            break
    body = raw[len(bom) :]
    for encoding in encodings:
        for cut in range(4 if truncated else 1):
            try:
                text = body[: len(body) - cut].decode(encoding)
            except UnicodeDecodeError:
                continue
            if "\x00" not in text:
                return TextFile(text, encoding, bom)
            break
    return None


# One character for one: full-width ASCII (！-～) to ASCII, the ideographic and no-break spaces to a space,
# every dash to a hyphen-minus.
_NORMAL = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_NORMAL.update({0x3000: 0x20, 0x00A0: 0x20, 0x202F: 0x20})
_NORMAL.update({code: 0x2D for code in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2212, 0xFE63, 0xFF0D)})


class _Digits(dict[int, int]):
    """:data:`_NORMAL`, and every other Unicode decimal digit (Arabic-Indic ١, mathematical bold 𝟏, ...) to its
    ASCII digit, looked up once per character met (``str.translate`` asks the mapping)."""

    def __missing__(self, code: int) -> int:
        digit = unicodedata.decimal(chr(code), None)
        self[code] = value = code if digit is None else 0x30 + digit
        return value


_DIGITS = _Digits(_NORMAL)
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff]+")
"""Zero-width characters, taken out before matching (one inside a number would hide it)."""


def normalise(text: str) -> str:
    """``text`` with full-width forms, every decimal digit, odd spaces and dashes made ASCII, keeping every offset."""
    return text.translate(_DIGITS) if not text.isascii() else text


def _normalised(text: str) -> tuple[str, list[int] | None]:
    """:func:`normalise`'s text without zero-width characters, and where each of its characters is in ``text``
    (None when none was taken out: the offsets are the same)."""
    normal = normalise(text)
    if _INVISIBLE.search(normal) is None:
        return normal, None
    kept = [i for i, char in enumerate(normal) if not _INVISIBLE.match(char)]
    return "".join(normal[i] for i in kept), [*kept, len(text)]


_B = r"(?<![0-9A-Za-z])"
_E = r"(?![0-9A-Za-z])"
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_PATTERN = re.compile(
    "|".join(
        (
            r"(?P<email>(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})",
            # a mobile: +86 optional, 3-4-4 with optional space or dash; not an amount (¥13500000000元, 1.38..., ...00.50),
            # though a comma or a point may stand beside it in a sentence (张伟，183..., Tel.183...)
            _B
            + r"(?<![¥$+])(?<!\d\.)(?P<mobile>(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}[ -]?|\.\d{4}\.)\d{4})"
            + _E
            + r"(?![.,]\d{1,2}(?!\d)|\s?[元万亿])",
            _B + r"(?P<run>\d{17}[Xx]|\d{15,19})" + _E,
            _B
            + r"(?P<spaced>\d{6}[ -]\d{8}[ -]\d{3}[\dXx]|\d{4}(?:[ -]\d{4}){2,3}(?:[ -]\d{1,3})?|\d{4}[ -]\d{6}[ -]\d{5})"
            + _E,
            _B + r"(?P<uscc>[0-9A-HJ-NP-RTUWXY]{18})" + _E,
            _B + r"(?P<document>[EGDSPCHMKLT][A-Z]?\d{7,10})" + _E,
        )
    )
)
_BROKEN = re.compile(_B + r"\d{1,17}(?: |\r?\n[ \t]*)\d{1,18}[Xx]?" + _E)
"""A number broken once where its line was: a folded YAML scalar (``>``) joins its lines with a space, a literal one
(``|``) and a text file keep the line break. Read only by the detectors whose check character makes a chance join
of two numbers all but impossible (an 18-character identity number, a bank card with its issuer prefix)."""
_MAYBE = re.compile(r"\d(?:[\u200b-\u200d\u2060\ufeff]*\d){3}|[@\uff20]")
"""Every value a detector finds has four digits in a row (any Unicode decimal digit, zero-width characters
between them ignored) or an @: a text without them, most text, is passed over without normalising or running
the full pattern."""
_NUMBER_NEAR = re.compile(r"\d[\d,.]*\d|\d")
_DOCUMENT_WORDS = {
    "passport": ("护照", "passport", "Passport", "PASSPORT"),
    "hkmo_permit": ("通行证", "回乡证", "港澳", "往来"),
}
_CONTEXT = 24
"""How many characters around a keyword or a document number are looked at for a number or a word."""


@dataclass(frozen=True)
class Hit:
    detector: str
    start: int
    end: int
    value: str
    """The matched value without separators, as the checks read it (never shown: see :func:`mask`)."""
    confidence: Confidence = "high"


# -- the detectors: each takes the compact value and says whether it is one ----------------------------------------

_PROVINCES = {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42"}
_PROVINCES |= {"43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82"}
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _real_date(year: int, month: int, day: int) -> bool:
    try:
        born = date(year, month, day)
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= date(2100, 1, 1)


def resident_id(value: str) -> bool:
    """A PRC resident identity number: 18 characters with the ISO 7064 MOD 11-2 check character and a real birth
    date, or the old 15-digit form (a real 19YYMMDD date)."""
    value = value.upper()
    if value[:2] not in _PROVINCES:
        return False
    if len(value) == 15 and value.isdigit():
        return _real_date(1900 + int(value[6:8]), int(value[8:10]), int(value[10:12]))
    if len(value) != 18 or not value[:17].isdigit():
        return False
    if not _real_date(int(value[6:10]), int(value[10:12]), int(value[12:14])):
        return False
    total = sum(int(c) * w for c, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == value[17]


_CARD_PREFIXES = ("62", "60", "65", "4", "34", "37", "35", "6011", "9558", "9559") + tuple(
    str(p) for p in range(51, 56)
)
_CARD_PREFIXES += tuple(str(p) for p in range(2221, 2721))


def luhn(value: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(value)):
        digit = int(char) * (2 if index % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


def bank_card(value: str) -> bool:
    """A bank card number: 15 to 19 digits that pass Luhn, with the prefix of a known issuer (UnionPay 62, Visa,
    Mastercard, American Express, JCB, Discover, the old domestic 9558)."""
    return value.isdigit() and 15 <= len(value) <= 19 and value.startswith(_CARD_PREFIXES) and luhn(value)


def credit_code(value: str) -> bool:
    """A unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters with its check character."""
    if len(value) != 18 or any(c not in _USCC_CHARS for c in value):
        return False
    total = sum(_USCC_CHARS.index(c) * pow(3, i, 31) for i, c in enumerate(value[:17]))
    return _USCC_CHARS[(31 - total % 31) % 31] == value[17]


def mobile(value: str) -> bool:
    """A mainland mobile number: 11 digits from 13x to 19x, with or without +86."""
    digits = value[-11:]
    return len(digits) == 11 and digits.isdigit() and digits[0] == "1" and digits[1] in "3456789"


_PASSPORT = re.compile(r"[EG]\d{8}|E[A-HJ-NP-Z]\d{7}|[DSP]\d{7}")
_PERMIT = re.compile(r"C\d{8}|C[A-Z]\d{7}|[HM]\d{8}|[HM]\d{10}")


def passport(value: str) -> bool:
    """A PRC passport number (E/G and 8 digits, E, a letter and 7 digits; D, S or P and 7 digits)."""
    return _PASSPORT.fullmatch(value) is not None


def hkmo_permit(value: str) -> bool:
    """A permit for Hong Kong and Macau (往来港澳通行证 C..., 回乡证 H... or M...)."""
    return _PERMIT.fullmatch(value) is not None


DETECTORS: dict[str, Callable[[str], bool]] = {
    "resident_id": resident_id,
    "bank_card": bank_card,
    "credit_code": credit_code,
    "mobile": mobile,
    "passport": passport,
    "hkmo_permit": hkmo_permit,
}
"""The detectors of numbers, by id; ``email`` and the policy's keyword lists are the others."""
NAMES = {
    "resident_id": "居民身份证号",
    "bank_card": "银行卡号",
    "credit_code": "统一社会信用代码",
    "mobile": "手机号",
    "passport": "护照号",
    "hkmo_permit": "港澳通行证号",
    "email": "外部邮箱",
}


# -- the settings: policy.yaml ``sensitive_data``, or these defaults ---------------------------------------------

DEFAULT_SETTINGS: dict[str, Any] = {
    "own_domains": [],
    "accept_roles": ["legal", "admin"],
    "detectors": {
        "resident_id": {"classification": "confidential", "never_over": ["wecom", "phone", "system"]},
        "bank_card": {"classification": "confidential", "never_over": ["wecom", "phone", "system"]},
        "passport": {"classification": "confidential", "never_over": ["wecom", "phone", "system"]},
        "hkmo_permit": {"classification": "confidential", "never_over": ["wecom", "phone", "system"]},
        "credit_code": {"classification": "internal"},
        "mobile": {"classification": "internal"},
        "email": {"classification": "internal"},
    },
    "keywords": [],
}


@dataclass(frozen=True)
class Settings:
    own_domains: tuple[str, ...] = ()
    accept_roles: tuple[str, ...] = ("legal", "admin")
    levels: dict[str, str] = field(default_factory=dict)
    """The lowest classification a record carrying each detector's data must declare."""
    never_over: dict[str, frozenset[str]] = field(default_factory=dict)
    """The channels that may never carry each detector's data."""
    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Keyword lists by id (each list is a detector)."""
    keyword_pattern: re.Pattern[str] | None = field(default=None, compare=False)
    """Any word of any list (:func:`settings_of` compiles it once)."""
    private: frozenset[str] = frozenset()
    """Mobile numbers the contacts mark private (their last 11 digits, :func:`with_private`): written anywhere else,
    they need :data:`PRIVATE_LEVEL`, whatever the mobile detector's own level."""


PRIVATE_LEVEL = "confidential"
"""The class a contact's private number carries (commlog.directory.PRIVATE_LEVEL, the contacts' side of it)."""


def with_private(settings: Settings, staff: dict[str, Any], orgs: dict[str, Any]) -> Settings:
    """``settings`` knowing the contacts' private mobile numbers (``private: [mobile]`` in a contact file)."""
    contacts = [*staff.values(), *(p for org in orgs.values() for p in org.get("people", []))]
    private = frozenset(
        digits[-11:]
        for contact in contacts
        if "mobile" in (contact.get("private") or [])
        and len(digits := re.sub(r"\D", "", str(contact.get("mobile") or ""))) >= 11
    )
    return replace(settings, private=private) if private else settings


def level_of(hit: Hit, settings: Settings) -> str:
    """The lowest classification a text carrying ``hit`` must have: its detector's, or a private number's."""
    level = settings.levels.get(hit.detector, "confidential")
    if hit.detector == "mobile" and hit.value in settings.private and CLEARANCE[level] < CLEARANCE[PRIVATE_LEVEL]:
        return PRIVATE_LEVEL
    return level


@lru_cache(maxsize=8)
def _keyword_pattern(pairs: tuple[tuple[str, str], ...]) -> re.Pattern[str] | None:
    if not pairs:
        return None
    words = sorted({w for _, w in pairs}, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words))


def settings_of(policy: dict[str, Any] | None) -> Settings:
    """The policy's settings for sensitive data, each part it leaves out taken from :data:`DEFAULT_SETTINGS`."""
    raw = {**DEFAULT_SETTINGS, **((policy or {}).get("sensitive_data") or {})}
    detectors = {**DEFAULT_SETTINGS["detectors"], **raw["detectors"]}
    levels = {d: c["classification"] for d, c in detectors.items()}
    never = {d: frozenset(c.get("never_over", ())) for d, c in detectors.items()}
    keywords: dict[str, tuple[str, ...]] = {}
    for entry in raw["keywords"]:
        keywords[entry["id"]] = tuple(entry["words"])
        levels[entry["id"]] = entry.get("classification", "confidential")
        never[entry["id"]] = frozenset(entry.get("never_over", ()))
    pattern = _keyword_pattern(tuple((k, w) for k, words in keywords.items() for w in words))
    domains = tuple(d.lower() for d in raw["own_domains"])
    return Settings(domains, tuple(raw["accept_roles"]), levels, never, keywords, pattern)


# -- scanning --------------------------------------------------------------------------------------------------


def scan(text: str, settings: Settings) -> Iterator[Hit]:
    """Every detected value in ``text``, in order, reading it once (and once more for the keywords, if any); a hit's
    offsets are in ``text`` itself (its original characters, zero-width ones included)."""
    if _MAYBE.search(text) is not None:
        normal, where = _normalised(text)
        for hit in _numbers(normal, settings):
            yield hit if where is None else replace(hit, start=where[hit.start], end=where[hit.end - 1] + 1)
    pattern = settings.keyword_pattern
    if pattern is not None and pattern.search(text) is not None:
        yield from _keywords(normalise(text), pattern, settings)


def _numbers(normal: str, settings: Settings) -> Iterator[Hit]:
    """Every number in ``normal``, in order: whole, then broken across a line (:data:`_BROKEN`) where no whole one is."""
    hits = list(_whole_numbers(normal, settings))
    broken = []
    for match in _BROKEN.finditer(normal):
        start, end = match.span()
        if any(h.start < end and start < h.end for h in hits):
            continue
        compact = "".join(match.group().split()).upper()
        if len(compact) == 18 and resident_id(compact):
            broken.append(Hit("resident_id", start, end, compact))
        elif bank_card(compact):
            broken.append(Hit("bank_card", start, end, compact))
    return iter(sorted(hits + broken, key=lambda h: h.start) if broken else hits)


def _whole_numbers(normal: str, settings: Settings) -> Iterator[Hit]:
    for match in _PATTERN.finditer(normal):
        kind = match.lastgroup
        raw = match.group()
        start, end = match.span()
        if kind == "email":
            domain = raw.rpartition("@")[2].lower()
            if not any(domain == d or domain.endswith("." + d) for d in settings.own_domains):
                yield Hit("email", start, end, raw)
            continue
        compact = raw.replace(" ", "").replace("-", "")
        if kind == "mobile":
            compact = compact.replace(".", "")
            if mobile(compact):
                yield Hit("mobile", start, end, compact[-11:])
            continue
        if kind == "document":
            for detector in ("passport", "hkmo_permit"):
                if DETECTORS[detector](raw):
                    before = normal[max(0, start - _CONTEXT) : start]
                    near = any(word in before for word in _DOCUMENT_WORDS[detector])
                    yield Hit(detector, start, end, raw, "high" if near else "low")
                    break
            continue
        for detector in ("resident_id", "credit_code", "bank_card"):  # identity first: its check is the strictest
            if DETECTORS[detector](compact.upper() if detector != "bank_card" else compact):
                yield Hit(detector, start, end, compact.upper())
                break


def _keywords(normal: str, pattern: re.Pattern[str], settings: Settings) -> Iterator[Hit]:
    for match in pattern.finditer(normal):
        word = match.group()
        start, end = match.span()
        around = normal[max(0, start - _CONTEXT) : start] + " " + normal[end : end + _CONTEXT]
        confidence: Confidence = "high" if _NUMBER_NEAR.search(around) else "low"
        for list_id, words in settings.keywords.items():
            if word in words:
                yield Hit(list_id, start, end, word, confidence)
                break


def mask(hit: Hit) -> str:
    """The value as it may be shown: 110105********123X, 138****5678, 622202*********1234, l***@example.com."""
    value = hit.value
    if hit.detector == "email":
        local, _, domain = value.rpartition("@")
        return f"{local[:1]}***@{domain}"
    if hit.detector in DETECTORS:
        keep_head = {"mobile": 3, "passport": 2, "hkmo_permit": 2}.get(hit.detector, 6)
        keep_tail = {"passport": 2, "hkmo_permit": 2}.get(hit.detector, 4)
        return value[:keep_head] + "*" * (len(value) - keep_head - keep_tail) + value[-keep_tail:]
    return value  # a keyword is not a secret itself


def masked_detectors(settings: Settings, clearance: str) -> frozenset[str]:
    """The detectors whose values a reader at ``clearance`` may not see whole."""
    return frozenset(
        d
        for d, level in settings.levels.items()
        if d not in settings.keywords and CLEARANCE[level] > CLEARANCE[clearance]
    )


_ZW = "[\u200b-\u200d\u2060\ufeff]*"
_SEP = "[ \\-\u3000\u00a0\u202f\u2010-\u2014\u2212\ufe63\uff0d]"
_START = "(?<![A-Za-z\uff21-\uff3a\uff41-\uff5a\\d])"
_MOBILE_SEP = "[ .\\-\u3000\u00a0\u202f\u2010-\u2014\u2212\ufe63\uff0d\uff0e]"


def _digits(count: int) -> str:
    return rf"\d(?:{_ZW}\d){{{count - 1}}}"


_LONG_NUMBER = re.compile(
    "|".join(
        (
            _START + rf"(?:[A-Z\uff21-\uff3a]{{1,2}}{_ZW})?" + _digits(7),
            _START + _digits(4) + _ZW + _SEP + _ZW + _digits(4) + _ZW + _SEP + _ZW + _digits(4),
            _START + _digits(4) + _ZW + _SEP + _ZW + _digits(6),
            _START + _digits(3) + _ZW + _MOBILE_SEP + _ZW + _digits(4) + _ZW + _MOBILE_SEP + _ZW + _digits(4),
        )
    )
)
"""What every identity, bank card, passport and permit number holds, in the text as written (any decimal digit,
zero-width characters anywhere, every separator the normalising reads as a space or hyphen), with no letter or
digit before it: seven digits in a row (after one or two capital letters, for a passport), the 4-4-4 and 4-6
groups of a spaced card, or the 3-4-4 of a spaced mobile. A text without it, most pages of a site, holds none of them: :func:`mask_text` passes over
it without normalising and running the full pattern, which on a site's HTML (times, dates, ids) costs 25 times as much."""
_LONG_NUMBER_DETECTORS = frozenset(("resident_id", "bank_card", "passport", "hkmo_permit", "mobile"))


def mask_text(text: str, settings: Settings, clearance: str) -> str:
    """``text`` with every value the clearance may not see whole replaced by its masked form."""
    hidden = masked_detectors(settings, clearance)
    private = bool(settings.private) and CLEARANCE[clearance] < CLEARANCE[PRIVATE_LEVEL]
    if not hidden and not private:
        return text
    if (hidden | ({"mobile"} if private else set())) <= _LONG_NUMBER_DETECTORS and _LONG_NUMBER.search(text) is None:
        return text
    parts: list[str] = []
    last = 0
    for hit in scan_numbers(text, settings):
        shown_whole = hit.detector not in hidden and not (
            private and hit.detector == "mobile" and hit.value in settings.private
        )
        if not shown_whole and hit.start >= last:
            parts += [text[last : hit.start], mask(hit)]
            last = hit.end
    return "".join(parts) + text[last:] if parts else text


def scan_numbers(text: str, settings: Settings) -> Iterator[Hit]:
    """:func:`scan` without the keyword lists (what masking looks for); low confidence included, to mask."""
    return scan(
        text,
        Settings(
            settings.own_domains, settings.accept_roles, settings.levels, settings.never_over, private=settings.private
        ),
    )


def fingerprint(record_id: str, hit: Hit) -> str:
    """What the allow list keeps of a matched value: a slow salted hash, never the value (a number of a few
    billion candidates is cheap to guess from a fast hash)."""
    salt = f"commlog-sensitive\0{record_id}\0{hit.detector}".encode()
    return hashlib.pbkdf2_hmac("sha256", hit.value.encode(), salt, 20_000).hex()[:32]


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def texts(data: Any, skip: frozenset[str], settings: Settings | None = None) -> list[tuple[tuple[object, ...], str]]:
    """Every string in ``data`` with its path, but under the keys in ``skip`` (coded values, ids, times); with
    ``settings``, only the strings :func:`scan` could find something in (the rest cost no path).

    This walks every field of every record: plain recursion into a list, no generators.
    """
    found: list[tuple[tuple[object, ...], str]] = []
    maybe = _MAYBE.search
    words = settings.keyword_pattern.search if settings is not None and settings.keyword_pattern else None

    def keep(text: str) -> bool:
        return settings is None or maybe(text) is not None or (words is not None and words(text) is not None)

    def walk(value: Any, parts: tuple[object, ...]) -> None:
        pairs: Any = value.items() if type(value) is dict else enumerate(value)
        for key, item in pairs:
            kind = type(item)
            if kind is str:
                if key not in skip and keep(item):
                    found.append(((*parts, key), item))
            elif (kind is dict or kind is list) and key not in skip:
                walk(item, (*parts, key))

    if isinstance(data, str):
        return [((), data)] if keep(data) else []
    if isinstance(data, (dict, list)):
        walk(data, ())
    return found
