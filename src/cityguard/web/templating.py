"""The dashboard's jinja2 templates (web/templates/, shipped in the package), autoescaped:
whatever came from a scanner, a manifest or a person shows as text, never as markup."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from cityguard.policy import messages
from cityguard.web import charts

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


@lru_cache(maxsize=1)
def environment() -> Any:
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.globals["charts"] = charts
    env.filters["pct"] = percent
    return env


def percent(value: float | None) -> str:
    """A compliance rate as the store keeps it (0-100) → "51.4%"."""
    return "—" if value is None else f"{value:.1f}%"


def render(name: str, lang: str, **values: Any) -> str:
    import markupsafe

    def t(key: str, **fields: object) -> str:
        return messages.t(key, lang, **fields)

    def enum(group: str, value: object) -> str:
        return messages.enum(group, value, lang)

    def svg(text: str) -> Any:  # charts.* escape every label themselves
        return markupsafe.Markup(text)

    # HTML that one of these templates rendered before (autoescaped then): the overview's body
    rendered = svg
    return str(environment().get_template(name).render(lang=lang, t=t, enum=enum, svg=svg,
                                                        rendered=rendered, **values))


def stylesheet() -> str:
    return (STATIC / "app.css").read_text(encoding="utf-8")
