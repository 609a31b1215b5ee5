"""The typographic rules, one table, read like the Lexique des règles typographiques en usage à
l'Imprimerie nationale (French), and the usual English and German rules.

Each rule is a name, a pattern, its replacement and an example; a language's file
(languages/<code>.yaml) names the rules that apply to it, and gives its quotation marks and
months to the rules that take them (rules_for). The rules run in the order of the table on the
text of one block (a paragraph, a heading, a list item),
after what must never change (URLs, e-mail addresses, file paths, times, code) has been set
aside as one opaque character each: see `PROTECT`. `typeset.py` does the walking of the HTML.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

NBSP, NNBSP = "\u00a0", "\u202f"  # espace insécable, espace fine insécable
WJ = "\u2060"  # word joiner: no line break here (after the slash of €/m²), and nothing shown
MINUS = "\u2212"  # the minus sign of a negative number (not the hyphen -)
OPAQUE = "\ue001"  # an inline element whose text is never typeset (code, an image): a "word"
BREAK = "\ue002"  # a line break or a block inside the text: like a space, never replaced
SUP_OPEN, SUP_CLOSE = "\ue003", "\ue004"  # raised letters (1er, XIXe, Mme): <sup> in HTML
MASK_BASE = 0xE100  # protected spans become one character each, from here on

SPACE = " \t\n"  # breakable spaces, as the author typed them
WS = f"[{SPACE}{NBSP}{NNBSP}]"  # any space
BS = f"[{SPACE}]"  # a breakable space
LETTER = r"[^\W\d_]"

# What is never typeset, in this order: an address or path keeps every character.
PROTECT = re.compile(
    "|".join(
        (
            r"(?:https?|ftps?|file)://[^\s<>\"«»]*[^\s<>\"«».,;:!?)\]'’]",  # URL with a scheme
            r"mailto:[^\s<>\"«»]*[^\s<>\"«».,;:!?)\]'’]",
            r"[\w.+'’-]*\w@[\w-]+(?:\.[\w-]+)+",  # e-mail address, apostrophes included
            r"www\.[^\s<>\"«»]*[^\s<>\"«».,;:!?)\]'’]",
            # an address without a scheme: host:port, or a domain and a path
            r"\b(?:localhost|\d{1,3}(?:\.\d{1,3}){3}|(?:[\w-]+\.)+[a-z]{2,24})"
            r"(?::\d{2,5}(?![\d:]))?/[^\s<>\"«»]*[^\s<>\"«».,;:!?)\]'’]",
            r"\b(?:localhost|\d{1,3}(?:\.\d{1,3}){3}|(?:[\w-]+\.)+[a-z]{2,24}):\d{2,5}\b",
            r"\blocalhost\b",
            r"(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){2,7}:?[0-9A-Fa-f:]*[0-9A-Fa-f]+\b",  # IPv6
            r"(?<![\w:])::[0-9A-Fa-f]*[0-9A-Fa-f]\b",  # IPv6 (::1)
            r"\w*::[\w-]+",  # C++ scope, CSS ::before
            r"\b[A-Za-z]:[\\/][^\s<>\"«»]*[^\s<>\"«».,;:!?)\]'’]",  # C:\Temp, D:/data
            r"(?<![\w.)])~?/(?:[\w.-]+/)+[\w.-]*\w",  # /usr/local/bin
            r"\b\d{1,2}(?::\d{2}){1,2}(?:[.,]\d+)?\b",  # times 12:21:56, 10:30
            r"(?<!\S)!(?:important|default|optional)\b",  # CSS, SCSS
            r"\b\d+:\d+\b",  # ratios 1:2
        )
    )
)

PROTECT_NEEDS = (":", "/", "@", "\\", "!", "www.", "localhost")  # PROTECT finds nothing without

# Where the Lexique binds a number to the word after it, except before these words: a
# number is held to the noun it counts (40 logements, 29 septembre), not to a preposition
# or a verb that follows it (en 2024 à Mulhouse, 6 à 7 fois).
FUNCTION_WORDS_FR = frozenset(
    """à a au aux avec ce ces cet cette chez comme contre d dans de des donc dont du elle elles en
    entre est et était fut il ils jusqu l la le les leur lui mais même ne ni nous on ont ou où par
    parmi pas pendant plus pour puis qu que qui sa sans se selon ses si soit son sont sous sur ton
    un une vers vous y""".split()  # noqa: SIM905 (a list that reads as one)
)

# Units and symbols held to their number by a no-break space (Lexique: « entre le nombre et
# l'unité »). The letters must end there: 12 kg, not 12 kilogrammes.
UNITS = (
    "%|‰|‱|k€|M€|Md€|€|\\$|£|¥|฿|CHF|°C|°F|ºC|"
    "km²|km|m²|m³|mm|cm|dm|m|µm|nm|ha|kg|mg|g|t|"
    "l|L|ml|mL|cl|cL|dl|hl|"
    "kWh|MWh|GWh|kW|MW|GW|W|Wh|V|A|Ω|kPa|Pa|hPa|bar|"
    "Mo|Go|To|ko|Ko|MB|GB|TB|kB|kbit|Mbit|Gbit|"
    "h|min|s|ms|dB|Hz|kHz|MHz|GHz|px"
)
# What follows the slash of a compound unit (€/m², km/h, hab./km², €/mois): the line never
# breaks after that slash, and the compound is held to its number as a unit is.
PER = (
    "m²|m³|m2|m3|km²|km2|ha|an|mois|jour|j|h|s|min|kWh|MWh|t|kg|l|L|"
    "hab\\.?|habitants?|logements?|pers\\.?|personnes?|ménages?"
)
UNIT_END = f"(?=/{WJ}?(?:{PER})(?!\\w)|(?![\\w/²³’']))"  # a unit, alone or over another
ROMAN = r"(?:M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3}))"

Replace = str | Callable[[re.Match[str]], str]


@dataclass(frozen=True)
class Rule:
    """One rule of the table: what it finds, what it writes, for which languages."""

    name: str  # how a language's file names it (languages/<code>.yaml, `typography:`)
    pattern: re.Pattern[str]
    replace: Replace
    example: tuple[str, str]  # (typed, typeset), checked by the tests
    letters: bool = False  # changes letters (an ordinal's suffix, x for ×): see the property test
    needs: tuple[str, ...] = ()  # the rule can match only a text holding one of these

    def may_apply(self, text: str) -> bool:
        """A quick test before the pattern's search: most rules find nothing in a block."""
        return not self.needs or any(needle in text for needle in self.needs)


def _rule(name: str, pattern: str, replace: Replace, example: tuple[str, str],
          letters: bool = False) -> Rule:
    return Rule(name, re.compile(pattern), replace, example, letters)


def _sup(letters: str) -> str:
    return SUP_OPEN + letters + SUP_CLOSE


# ---------------------------------------------------------------------------------- quotes

Quotes = tuple[str, ...]  # outer open, outer close, inner open, inner close, single open, close
OPENING_CONTEXT = SPACE + NBSP + NNBSP + "([{—–/" + BREAK  # and the language's opening quotes
CLOSING_NEXT = ".,;:!?)]}»”’…"


def _quote_decisions(text: str, table: Quotes) -> dict[int, str]:
    """Straight quotes of a block -> their typographic forms, by position.

    A quote opens after a space or an opening sign and before a word; it closes after a word,
    or after a space when a quotation is open (Le " Chat Botté ".). A quote left alone, a
    prime after a digit (2'33", 5".) and a crying smiley :'( stay as typed.
    """
    opening_context = OPENING_CONTEXT + table[0][0] + table[2] + table[4]
    decisions: dict[int, str] = {}
    stack: list[int] = []  # open double quotes (their levels)
    single_open = False
    positions = [i for i, c in enumerate(text) if c in "\"'"]
    for number, index in enumerate(positions):
        char = text[index]
        before = text[index - 1] if index else ""
        after = text[index + 1] if index + 1 < len(text) else ""
        space_before = not before or before in opening_context
        space_after = not after or after in SPACE + NBSP + NNBSP + BREAK
        opens = space_before and not space_after and after not in CLOSING_NEXT
        closes = not space_before
        later = [text[j] for j in positions[number + 1:]]
        if char == '"':
            if before.isdigit() and not (stack and (space_after or after in CLOSING_NEXT)):
                continue  # a prime or inches: 2'33", 8.5"x10"
            if opens and not (closes and stack):
                level = len(stack)
                stack.append(level)
                decisions[index] = table[min(level, 2) * 2]
            elif stack and (closes or not opens):
                level = stack.pop()
                decisions[index] = table[min(level, 2) * 2 + 1]
            elif ('"' in later and not closes) or ('"' in later and not space_after):
                stack.append(0)
                decisions[index] = table[0]
            # else: a quote alone stays as typed
        else:
            if before in ":;" and after in "()":
                continue  # :'(
            if before.isdigit() and not after.isalpha():
                continue  # a prime: 6' 10"
            if before.isalnum() and after.isalnum():
                decisions[index] = "’"
            elif opens and after.isalnum() and any(
                text[j] == "'" and text[j - 1] not in SPACE and
                (j + 1 >= len(text) or not text[j + 1].isalnum())
                for j in positions[number + 1:]
            ):
                decisions[index] = table[4]
                single_open = True
            elif single_open and closes:
                decisions[index] = table[5]
                single_open = False
            else:
                decisions[index] = "’"
    return decisions


def _quotes(marks: Quotes) -> Callable[[re.Match[str]], str]:
    """The quotes rule's replacement with a language's marks."""
    cache: dict[str, dict[int, str]] = {}

    def replace(match: re.Match[str]) -> str:
        text = match.string
        if text not in cache:
            cache.clear()
            cache[text] = _quote_decisions(text, marks)
        return cache[text].get(match.start(), match.group())

    return replace


# ---------------------------------------------------------------------------------- dashes


def _incise_dashes(match: re.Match[str]) -> str:
    """French: an incise's dashes hold to the words inside it (Lexique: tiret)."""
    text = match.string
    spaced = list(_SPACED_DASH.finditer(text))
    index = next(i for i, m in enumerate(spaced) if m.start() == match.start())
    opening = index % 2 == 0 and index + 1 < len(spaced)
    return " –" + NBSP if opening else NBSP + "– "


_SPACED_DASH = re.compile(f"(?<=\\S){BS}+(?:-{{1,2}}|–|—){BS}+(?=\\S)")


YEAR_AFTER = re.compile(r"(?:^|\s)(?:en|de|d’|d'|depuis|dès|avant|après|entre|et|à|vers|jusqu’en|"
                        r"jusqu'en|fin|début|mi|an|l’an|l'an)\s*$", re.IGNORECASE)


def _number_word(match: re.Match[str]) -> str:
    number, word = match.group(1), match.group(3)
    if re.split("[’']", word.lower())[0] in FUNCTION_WORDS_FR:
        return match.group()
    if re.fullmatch(r"1[1-9]\d\d|20\d\d", number) and YEAR_AFTER.search(
            match.string, max(0, match.start() - 12), match.start()):
        return match.group()  # a year (de 2017 prévoit), not a number counting a noun
    return number + NBSP + word


def _ordinal(match: re.Match[str]) -> str:
    number, suffix = match.group(1), (match.group(2) or match.group(3)).lower()
    plural = "s" if suffix.endswith("s") else ""
    stem = suffix.rstrip("s")
    if stem in ("er",):
        raised = "er"
    elif stem in ("re", "ère", "ere"):
        raised = "re"
    elif stem in ("nd", "nde", "d", "de"):
        raised = "d" if stem in ("nd", "d") else "de"
    else:  # e, è, ème, eme, ième
        raised = "e"
    return number + _sup(raised + plural)


def _roman(match: re.Match[str]) -> str:
    numeral, suffix = match.group(1), match.group(2)
    if not numeral or (len(numeral) == 1 and numeral not in "IVX"):
        return match.group()  # De, Ce, Le, Me are words
    return numeral + _sup("er" if suffix == "er" else "e")


def _time(match: re.Match[str]) -> str:
    return NBSP.join(re.findall(r"\d+|[a-z]+", match.group()))


def _currency_first(match: re.Match[str]) -> str:
    return match.group(2) + NBSP + match.group(1)


# ---------------------------------------------------------------------------------- the table

def _by_language(match: re.Match[str]) -> str:
    raise ValueError("a rule made for each language: take it from rules_for")


RULES: tuple[Rule, ...] = (
    # Spaces as typed: several become one (HTML shows one anyway).
    _rule("spaces", f"{BS}{{2,}}", " ", ("Un    jour", "Un jour")),
    # Currency after the number in French: 12 €.
    _rule("currency-after", r"(?<![^ \t\n(\[])([€$£])" + WS
          + r"?(\d+(?:[.,]\d+)*)(?=[ \t\n]|$|[,;:!?)\]»…]|\.(?!\d))",
          _currency_first, ("€12", f"12{NBSP}€")),
    # Points de suspension: one character, three dots; "etc." never takes them.
    _rule("etc", f"(?<!{LETTER})([Ee]tc)(?:\\.{{3,}}|…)(?!\\.)", r"\1.", ("etc...", "etc.")),
    _rule("ellipsis", r"(?<!\.)\.{3,4}(?!\.)", "…", ("Test...", "Test…")),
    _rule("no-degree-for-numero", r"\b([Nn])°(?=" + WS + r"?\d)", r"\1º", ("n° 11", "nº 11"),
          letters=True),  # the ordinal indicator º is a letter to Unicode
    # Guillemets, apostrophes: typographic, opened and closed by context.
    # (the marks are the language's: rules_for gives them; the example is French's)
    _rule("quotes", "[\"']", _by_language, ('"faire ensemble"', f"«{NBSP}faire ensemble{NBSP}»")),
    # Intervals of numbers take an en dash, closed: 1964–2009 (not 2026-09-26, a date).
    _rule("number-range-fr", # not an article of a code: L. 123-1
          f"(?<![\\d.,/-])(?<![LRDA]\\.{WS})(?<![LRDA]{WS})(\\d+){WS}?[-–]{WS}?([1-9]\\d*)(?![\\d/-])",
          r"\1–\2", ("1964-2009", "1964–2009")),
    _rule("number-range", r"(?<![\d.,/-])(\d+)[-–]([1-9]\d*)(?![\d/-])", r"\1–\2",
          ("1964-2009", "1964–2009")),
    # Dashes: a spaced hyphen is a dash. French: an incise's dashes hold to its words.
    _rule("incise-fr", _SPACED_DASH.pattern, _incise_dashes,
          ("est - sauf ici - une", f"est –{NBSP}sauf ici{NBSP}– une")),
    _rule("em-dash-en", r"(?<=\S)[ ]?--[ ]?(?=\S)", "—", ("Style--you", "Style—you")),
    _rule("dash-en-de", f"(?<=\\S){BS}+(?:-{{1,2}}|–){BS}+(?=\\S)", " – ",
          ("Style - not sincerity - is", "Style – not sincerity – is")),
    # A negative number takes the minus sign, not a hyphen: -231, -3,5 % (not a word's
    # hyphen, a range, a date or a code: COVID-19, 2019-2020, L. 123-1).
    _rule("minus", f"(?<![\\w.,/\\-–{MINUS}+’'])-(?=\\d+(?:[.,]\\d+)*(?![\\d/-]))", MINUS,
          ("-231", f"{MINUS}231")),
    # Dimensions and products: the multiplication sign.
    _rule("times", r"(?<!\b0)(?<=\d)([\"″']?)( ?)x( ?)(?=\d)",
          lambda m: m.group(1) + (NBSP + "×" + NBSP if m.group(2) or m.group(3) else "×"),
          ("4x4 m", "4×4 m"), letters=True),
    # French: raised letters of ordinals and abbreviations (Lexique: 1er, 2e, XIXe, Mme).
    _rule("ordinal", r"\b(\d+)(?:(ères|ère|eres|ere|ers|er|res|re|ièmes|ième|èmes|ème|emes|eme|"
          r"ÈMES|ÈME|ÈRES|ÈRE|es|e|nde|nd|de|d)|" + BS + r"+(ères|ère|ièmes|ième|èmes|ème))\b(?![’'])",
          _ordinal, ("2ème", "2" + _sup("e")), letters=True),
    _rule("ordinal-roman", r"\b(?=[IVXLCDM])(" + ROMAN + r")(ème|eme|er|e)\b(?![’'])", _roman,
          ("XIXe", "XIX" + _sup("e")), letters=True),
    _rule("honorific-raised", r"\bM(me|mes|lle|lles|gr)\b(" + BS + r"+(?=[A-ZÀ-Ý]))?",
          lambda m: "M" + _sup(m.group(1)) + (NBSP if m.group(2) else ""),
          ("Mme Lutz", "M" + _sup("me") + NBSP + "Lutz")),
    _rule("honorific-doctor", r"\b([DP])r" + BS + r"+(?=[A-ZÀ-Ý])",
          lambda m: m.group(1) + _sup("r") + NBSP, ("Dr Martin", "D" + _sup("r") + NBSP + "Martin")),
    _rule("honorific-nbsp", r"\b(M\.|MM\.)" + BS + "+(?=[A-ZÀ-Ý])", r"\1" + NBSP,
          ("M. Martin", f"M.{NBSP}Martin")),
    # Hours: 13 h 37, held together.
    _rule("time-fr", r"\b\d{1,2}" + WS + r"?h" + WS + r"?\d{2}(?:" + WS + r"?min" + WS +
          r"?\d{2}(?:" + WS + r"?s(?:ec)?)?|" + WS + r"?m" + WS + r"?\d{2}" + WS + r"?s)?\b",
          _time, ("13h37", f"13{NBSP}h{NBSP}37")),
    # French punctuation: no space before , . ) and after (; a no-break space before : and
    # inside « »; a narrow no-break space before ; ! ?
    _rule("no-space-before-comma", f"(?<=[^\\s«‹]){WS}+([,.])(?=\\s|$|[)\\]»”’;:!?])", r"\1",
          ("Bonjour , monde .", "Bonjour, monde.")),
    _rule("comma-then-space", f"(?<={LETTER}){BS}+,(?={LETTER})", ", ",
          ("Superman ,you", "Superman, you")),
    _rule("parentheses", f"([(\\[]){BS}+|(?<=\\S){BS}+([)\\]])",
          lambda m: m.group(1) or m.group(2), ("( hello )", "(hello)")),
    _rule("guillemet-open", f"([«‹])[{SPACE}{NBSP}{NNBSP}]*(?=\\S)", r"\1" + NBSP,
          ("«test»", f"«{NBSP}test»")),
    _rule("guillemet-close", f"(?<=\\S)[{SPACE}{NBSP}{NNBSP}]*([»›])", NBSP + r"\1",
          ("test»", f"test{NBSP}»")),
    _rule("high-punctuation-fr", f"(?<=[^\\s;:!?(\\[«‹])(?:{WS}+([;!?]+)|([;!?]+))",
          lambda m: NNBSP + (m.group(1) or m.group(2)),
          ("Superman !", f"Superman{NNBSP}!")),
    _rule("colon-fr", f"(?<=[^\\s;:!?«‹]){WS}*:", NBSP + ":",
          ("Superman : the movie", f"Superman{NBSP}: the movie")),
    _rule("space-after-high-punctuation-fr", f"([{NBSP}{NNBSP}][;:!?]+)(?={LETTER})", r"\1 ",
          (f"Note{NBSP}:exemple", f"Note{NBSP}: exemple")),
    _rule("no-space-before-punctuation", f"(?<=[^\\s;:!?]){WS}+([;:!?]+)(?=\\s|$|[\"”“’)])", r"\1",
          ("this ; that", "this; that")),
    # A compound unit is never cut after its slash (€/m², km/h, hab./km²); HT and TTC are held
    # to their currency.
    _rule("unit-per", f"(?<=[^\\s/])/{WJ}?(?=(?:{PER})(?!\\w))", "/" + WJ,
          ("8 €/m²", f"8 €/{WJ}m²")),
    _rule("tax-fr", f"(?<=[€$£]){BS}+(?=(?:HT|TTC|H\\.T\\.|T\\.T\\.C\\.)(?!\\w))", NBSP,
          ("12 € HT", f"12 €{NBSP}HT")),
    # Numbers: thousands in groups of three with a narrow no-break space (68 200).
    _rule("thousands", f"(?<![\\d,.])(\\d{{1,3}})[{SPACE}{NBSP}](?=\\d{{3}}(?!\\d))", r"\1" + NNBSP,
          ("68 200", f"68{NNBSP}200")),
    _rule("unit", f"(?<![\\w.,])(\\d+(?:[.,]\\d+)?){WS}*({UNITS}){UNIT_END}", r"\1" + NBSP + r"\2",
          ("12kg", f"12{NBSP}kg")),
    _rule("unit-spaced", f"(?<![\\w.,])(\\d+(?:[.,]\\d+)?){BS}+({UNITS}){UNIT_END}",
          r"\1" + NBSP + r"\2", ("5 km", f"5{NBSP}km")),
    _rule("numero", f"\\b([Nn]º|[Nn]os?|p\\.|pp\\.|art\\.|chap\\.|vol\\.){BS}+(?=\\d)", r"\1" + NBSP,
          ("nº 11", f"nº{NBSP}11")),
    _rule("number-noun-fr", f"(?<![\\w.,/-])(\\d+(?:[.,]\\d+)?)({BS}+)({LETTER}[\\w’'-]*)",
          _number_word, ("40 logements", f"40{NBSP}logements")),
    # A month held to its year (the months are the language's: rules_for gives them).
    _rule("month-year", "(?!)", r"\1" + NBSP, ("septembre 2020", f"septembre{NBSP}2020")),
)


DIGITS = tuple("0123456789")
PUNCTUATION = (";", ":", "!", "?")
NEEDS: dict[str, tuple[str, ...]] = {  # what each rule's pattern cannot match without
    "spaces": ("  ", " \n", "\n ", "\t", "\n\n"), "currency-after": ("€", "$", "£"),
    "etc": ("tc",), "ellipsis": ("...",), "no-degree-for-numero": ("°",),
    "quotes": ('"', "'"),
    "number-range-fr": ("-", "–"), "number-range": ("-", "–"), "incise-fr": ("-", "–", "—"),
    "em-dash-en": ("--",), "dash-en-de": ("-", "–"), "times": ("x",), "ordinal": DIGITS,
    "ordinal-roman": tuple("IVXLCDM"), "honorific-raised": ("M",),
    "honorific-doctor": ("Dr", "Pr"), "honorific-nbsp": ("M.",), "time-fr": ("h",),
    "no-space-before-comma": (",", "."), "comma-then-space": (",",),
    "parentheses": ("(", ")", "[", "]"), "guillemet-open": ("«", "‹"),
    "guillemet-close": ("»", "›"), "high-punctuation-fr": (";", "!", "?"), "colon-fr": (":",),
    "space-after-high-punctuation-fr": PUNCTUATION, "no-space-before-punctuation": PUNCTUATION,
    "minus": ("-",), "unit-per": ("/",), "tax-fr": ("HT", "TTC", "H.T.", "T.T.C."),
    "thousands": DIGITS, "unit": DIGITS, "unit-spaced": DIGITS, "numero": DIGITS,
    "number-noun-fr": DIGITS, "month-year": DIGITS,
}
RULES = tuple(dataclasses.replace(rule, needs=NEEDS[rule.name]) for rule in RULES)


NAMES = frozenset(rule.name for rule in RULES)


@cache
def rules_for(names: tuple[str, ...], quotes: Quotes, months: tuple[str, ...],
              abbreviations: tuple[str, ...] = ()) -> tuple[Rule, ...]:
    """The rules a language names (its file's `typography:`), in the order of the table, with
    its quotation marks and its months (full, then abbreviated with or without their full
    stop)."""
    words = "|".join([*map(re.escape, months), *(re.escape(a) + "\\.?" for a in abbreviations)])
    chosen = []
    for rule in RULES:
        if rule.name not in names:
            continue
        if rule.name == "quotes":
            rule = dataclasses.replace(rule, replace=_quotes(quotes))
        elif rule.name == "month-year":
            rule = dataclasses.replace(rule, pattern=re.compile(
                f"\\b({words}){BS}+(?=\\d{{4}}\\b)" if words else "(?!)"))
        chosen.append(rule)
    return tuple(chosen)
