"""`new`: the text of a new Bloc-Notes, every field commented in the document's language."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

import jinja2
import yaml

from . import languages, load

LANGUAGES = ("fr", "en", "de")  # a starter template each, in templates/new/


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("blocnotes", "templates/new"),
        autoescape=False,  # Markdown and YAML, not HTML
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def yaml_scalar(text: str) -> str:
    """`text` as one YAML value, quoted only when YAML needs it ('Bilan : 2024' needs it)."""
    dumped = yaml.safe_dump(text, allow_unicode=True, width=10_000, default_style=None)
    return dumped.removesuffix("\n").removesuffix("\n...").strip()


def file_name(title: str, lang: str = languages.DEFAULT) -> str:
    """The source's file name for a title in `lang`: its slug, as the outputs are named."""
    return load.slugify(title, lang) + ".md"


def starter(title: str, date: dt.date, lang: str, **known: Any) -> str:
    """The Markdown source of a new Bloc-Notes: front matter with every field, commented,
    and a skeleton (two sections with their speakers' lines, a sub-heading, further reading).
    What is `known` (an imported document's `dateline`, `abstract`, `keywords`, `authors`,
    `style`, `body`, each YAML-ready) takes the place of the examples."""
    template = _environment().get_template(f"{lang}.md.j2")
    language = languages.get(lang)  # the dateline's days and months
    return template.render(title=yaml_scalar(" ".join(title.split())), date=date,
                           days=language.days, months=language.months, **known)
