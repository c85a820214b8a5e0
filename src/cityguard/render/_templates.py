"""The jinja2 environments for reports/html and reports/md.

Templates are searched in the site directories first (CITYGUARD_REPORTS), then the built-in
reports/ directory, so a site overrides one template by shipping a file of the same name.
HTML is autoescaped (everything from scanners, hosts and users is text, never markup);
Markdown escapes through the `md` and `code` filters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from cityguard.core.resources import search_dirs
from cityguard.model import Assessment
from cityguard.render import _textwidth, _view, i18n

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~<])")
_MD_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")  # only an & that would start an entity
_MD_LEADING = re.compile(r"^(\d+|)([.)#+\-=*>])(?=\s|$)")  # list / heading / quote markers
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def md_text(value: object) -> str:
    """Text safe in a Markdown table cell: no markup, no HTML, no line breaks.

    Markdown's own backslash escapes keep the raw file readable (`a && b`, `x > 1` stay as
    written): `<` becomes `\\<` so no tag can open, `&` only where it would start an entity.
    """
    text = " ".join(("" if value is None else str(value)).split())
    text = _MD_ENTITY.sub(r"\\&", _MD_SPECIAL.sub(r"\\\1", text))
    return _MD_LEADING.sub(r"\1\\\2", text)


def md_code(value: object) -> str:
    """A fenced code block whose fence is longer than any backtick run inside."""
    text = "" if value is None else str(value)
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text.rstrip()}\n{fence}"


def md_inline_code(value: object) -> str:
    """An inline code span for ids and paths; `|` escaped so a table cell stays one cell."""
    text = " ".join(("" if value is None else str(value)).split()).replace("|", "\\|")
    if not text:
        return ""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def text_bar(value: object, width: int = 20) -> str:
    """A score 0–100 as a bar of block characters (the Markdown stand-in for the chart)."""
    if not isinstance(value, (int, float)):
        return ""
    filled = round(max(0.0, min(100.0, float(value))) / 100 * width)
    return "█" * filled + "░" * (width - filled)


def number(value: object, decimals: int = 1) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, float):
        return f"{value:.{decimals}f}"
    return str(value)


def observed(value: Any) -> str:
    """An evidence's observed value as one readable string (already redacted upstream)."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "\n".join(map(str, value))
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)


def css_string(value: object) -> str:
    """A CSS string literal's inside (for `content:` in the page margins); `<` escaped so
    the text can never close the <style> element it sits in."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return text.replace("<", "\\3c ")


def page_counter_css(lang: str) -> str:
    """`content:` for the page footer: 第 N 页 / 共 M 页 with CSS page counters."""
    text = i18n.label("page_number", lang)
    parts = re.split(r"(\{page\}|\{pages\})", text)
    out = []
    for part in parts:
        if part == "{page}":
            out.append("counter(page)")
        elif part == "{pages}":
            out.append("counter(pages)")
        elif part:
            out.append(f'"{css_string(part)}"')
    return " ".join(out)


#: the filters that name an enum value in the report's language: filter → messages.yaml group
_ENUM_FILTERS = {
    "verdict": i18n.VERDICT, "sev": i18n.SEVERITY, "status": i18n.STATUS,
    "importance": i18n.IMPORTANCE, "hr_status": i18n.HIGH_RISK_STATUS,
    "f_status": i18n.FINDING_STATUS, "source": i18n.SOURCE, "stage": i18n.STAGE,
    "conclusion": i18n.CONCLUSION, "risk_level": i18n.RISK_LEVEL,
    "risk_method": i18n.RISK_METHOD, "waiver_state": i18n.WAIVER_STATE,
    "waiver_kind": i18n.WAIVER_KIND, "asset_type": i18n.ASSET_TYPE,
    "extension": i18n.EXTENSION,
}  # fmt: skip


def _enum_filter(group: str, lang: str) -> Callable[[object], str]:
    return lambda value: i18n.enum_label(group, value, lang)


def environment(kind: str, lang: str) -> Any:
    """A jinja2 Environment for reports/<kind>/ with the report filters and `t()`."""
    import jinja2


    # FileSystemLoader takes the first match: site directories before the built-in one
    dirs = [str(d / kind) for d in reversed(search_dirs("reports")) if (d / kind).is_dir()]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(dirs),
        autoescape=(kind == "html"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(t=i18n.translator(lang), lang=lang, html_lang=i18n.HTML_LANG[lang],
                       pick=lambda zh, en: i18n.pick(zh, en, lang),
                       page_counter=lambda: page_counter_css(lang))
    env.filters.update({name: _enum_filter(group, lang) for name, group in _ENUM_FILTERS.items()})
    env.filters.update(
        num=number,
        say=lambda v: i18n.say(v, lang),  # cityguard's own sentences (engine, scoring)
        paren=lambda v: i18n.paren(v, lang),
        tw=_textwidth.text_width,
        fit=_textwidth.fit,
        css_string=css_string,
        id=id,
        observed=observed,
        md=md_text,
        c=md_inline_code,
        bar=text_bar,
        code=md_code,
        xmlsafe=lambda v: _ILLEGAL_XML.sub("\ufffd", "" if v is None else str(v)),
    )
    return env


def render(kind: str, name: str, lang: str, **context: Any) -> str:
    return environment(kind, lang).get_template(name).render(**context)


def assessment_report(assessment: Assessment, kind: str, lang: str) -> str:
    """The assessment report of reports/<kind>/assessment.<kind>.j2 (html, md) as text."""
    return render(kind, f"assessment.{kind}.j2", lang, v=_view.build(assessment, lang))
