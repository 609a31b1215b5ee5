"""The typography rules against the cases of the public fixers' suites and the Lexique
(tests/typography_cases.py), technical text that must come out as it went in, the rules
table's own examples, and two properties (Hypothesis): typesetting twice gives the text of
once, and only spaces, quotes, dashes, apostrophes and marks change."""

from __future__ import annotations

import html
import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blocnotes import languages, typorules
from blocnotes.typeset import typeset_html, typeset_text
from typography_cases import CASES, SOURCES

NB, NN, WJ = "\u00a0", "\u202f", "\u2060"


def _decode(text: str) -> str:
    return text.replace("~", NB).replace("^", NN).replace("¦", WJ)


def _encode(text: str) -> str:
    return text.replace(NB, "~").replace(NN, "^").replace(WJ, "¦")


def typeset_case(lang: str, typed: str) -> str:
    """A case's typed text (a paragraph, or an HTML fragment) -> its typeset form, in the
    cases' notation."""
    typed = _decode(typed)
    if typed.startswith("<"):
        return _encode(typeset_html(typed, lang))
    out = typeset_html("<p>" + html.escape(typed, quote=False) + "</p>", lang)
    return _encode(out.removeprefix("<p>").removesuffix("</p>"))


def test_there_are_enough_cases_and_each_names_its_source():
    assert len(CASES) >= 150
    assert {case.source for case in CASES} <= set(SOURCES)
    assert len({case.source for case in CASES}) >= 10
    for case in CASES:
        assert (case.theirs is None) == (not case.why), case


@pytest.mark.parametrize("case", CASES, ids=[f"{c.source}:{c.typed[:40]}" for c in CASES])
def test_case(case, record_property):
    record_property("typography_source", case.source)
    record_property("typography_theirs", case.theirs is None)
    assert typeset_case(case.lang, case.typed) == case.expected


@pytest.mark.parametrize("case", CASES, ids=[f"{c.source}:{c.typed[:40]}" for c in CASES])
def test_case_is_idempotent(case):
    typed = _decode(case.typed)
    fragment = typed if typed.startswith("<") else "<p>" + html.escape(typed, quote=False) + "</p>"
    once = typeset_html(fragment, case.lang)
    assert typeset_html(once, case.lang) == once


# Technical text that must come out as it went in, whatever the language.
UNTOUCHED = [
    "localhost:3000", "::before", "a::before", "C:\\Temp\\rapport.txt", "D:/data",
    "fdda:5cc1:23:4::1f", "::1", "2001:db8::8a2e:370:7334", "exemple.fr/page?x=1:2",
    "localhost:8080/admin?x=1", "https://exemple.fr/a?b=c;d", "http://exemple.org:8080/x?y=1",
    "www.exemple.fr/x?y=1", "mailto:jean@exemple.fr", "o'brien@exemple.fr", "12:21:56",
    "/usr/local/bin", "std::vector", "!important", "%PATH%", "2026-09-26", "0x1F",
]


@pytest.mark.parametrize("lang", ["fr", "en", "de"])
@pytest.mark.parametrize("technical", UNTOUCHED)
def test_technical_text_is_untouched(technical, lang):
    for sentence in (f"Voir {technical} ici", f"({technical})", f"Voir {technical}."):
        assert technical in typeset_text(sentence, lang), sentence


def test_damage_cases_of_the_issue():
    out = typeset_text('Voir "https://exemple.fr/page" et "localhost:8080/admin?x=1" !', "fr")
    assert out == f"Voir «{NB}https://exemple.fr/page{NB}» et «{NB}localhost:8080/admin?x=1{NB}»{NN}!"
    assert typeset_text("écrire à o'brien@exemple.fr", "fr") == "écrire à o'brien@exemple.fr"


def test_code_and_attributes_are_never_typeset():
    fragment = ('<p>Voir <code>a : "b"</code> et <a href="x?y=1;2" title="a : b">l\'adresse</a>'
                ' !</p><pre>x ... "y"</pre>')
    out = typeset_html(fragment, "fr")
    assert '<code>a : "b"</code>' in out and "<pre>x ... \"y\"</pre>" in out
    assert 'href="x?y=1;2"' in out and 'title="a : b"' in out


@pytest.mark.parametrize("rule", typorules.RULES, ids=[r.name for r in typorules.RULES])
def test_each_rule_does_its_example(rule):
    """Each rule of the table, as the default language makes it (with its quotes and months),
    else the first language whose file names it; every rule is named by one."""
    from blocnotes import typeset

    typed, expected = rule.example
    users = [code for code in sorted(languages.codes(), key=lambda code: code != languages.DEFAULT)
             if rule.name in languages.get(code).typography]
    assert users, f"no language names the rule {rule.name}"
    made = next(made for made in typeset._rules(users[0]) if made.name == rule.name)
    assert typeset._run([made], [typed]) == [expected]


# --- properties ----------------------------------------------------------------------------

ALPHABET = st.sampled_from(
    list("aeèéiloMmrstxXIVCDN") + list("0123456789") + list(" \n\t") + [NB, NN]
    + list("\"'«»“”‘’-–—.,;:!?()[]%€$°º/<>&") + ["...", "://", "www.", "http", ".fr", "h"]
)  # no "@": a rule can make an e-mail address of garbage (C@etc... -> C@etc.9), tested above
TEXTS = st.lists(ALPHABET, max_size=40).map("".join)
WORDS = st.lists(st.sampled_from(["l'", "2ème", "XIXe", "Mme", "Dr", "M.", "1er", "4x4", "13h37",
                                  "etc...", "€12", "n°", "https://x.fr/a?b=c:d"]) | ALPHABET,
                 max_size=30).map("".join)
TAGS = st.sampled_from(["b", "em", "a", "code", "sup", "span"])


@st.composite
def fragments(draw):
    """A paragraph of text and inline tags."""
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        parts.append(html.escape(draw(WORDS), quote=False))
        if draw(st.booleans()):
            tag = draw(TAGS)
            parts.append(f"<{tag}>{html.escape(draw(WORDS), quote=False)}</{tag}>")
    return "<p>" + "".join(parts) + "</p>"


def _letters_and_digits(text: str) -> str:
    return "".join(c for c in text if c.isalnum() and unicodedata.category(c) != "No")


def _only_letter_rules(text: str, lang: str) -> str:
    """`text` with only the rules that change letters applied (ordinals, ×), through the
    same machinery (so a URL is spared by them too)."""
    from blocnotes import typeset

    rules = tuple(r for r in typeset._rules(lang) if r.letters)
    masks = typeset._Masks()
    hidden = masks.hide([text])
    done = masks.show(typeset._run(rules, hidden)[0])
    return re.sub(f"[{typorules.SUP_OPEN}{typorules.SUP_CLOSE}]", "", done)


@pytest.mark.parametrize("lang", ["fr", "en", "de"])
@given(text=WORDS)
def test_typesetting_twice_is_typesetting_once(lang, text):
    once = typeset_text(text, lang)
    assert typeset_text(once, lang) == once


@pytest.mark.parametrize("lang", ["fr", "en", "de"])
@given(fragment=fragments())
def test_typesetting_html_twice_is_typesetting_once(lang, fragment):
    once = typeset_html(fragment, lang)
    assert typeset_html(once, lang) == once


@pytest.mark.parametrize("lang", ["fr", "en", "de"])
@pytest.mark.parametrize("address", ["https://exemple.fr/a?b=c:d", "www.exemple.fr/x?y=1;2",
                                     "https://exemple.fr/plan-local/reglement_2024.pdf?p=3"])
def test_a_link_to_an_address_typeset_twice_is_typeset_once(lang, address):
    """The second time, the address is cut by the <wbr/> of the first: still never touched."""
    once = typeset_html(f'<p>Voir <a href="{address}">{address}</a> : "ici" !</p>', lang)
    assert "<wbr/>" in once
    assert typeset_html(once, lang) == once


@pytest.mark.parametrize("lang", ["fr", "en", "de"])
@given(text=WORDS)
def test_only_spaces_quotes_dashes_and_marks_change(lang, text):
    """Letters and digits keep their order, except where a rule marked `letters` applies
    (2ème -> 2e, 4x4 -> 4×4): the text typeset has the letters of the text with those rules
    alone applied. What else changes is spaces, quotes, dashes, apostrophes and marks."""
    assert _letters_and_digits(typeset_text(text, lang)) == _letters_and_digits(
        _only_letter_rules(text, lang))
