"""HTML bytes → PDF bytes with WeasyPrint, offline: the one PDF engine of cityguard.

`html_to_pdf(html)` is shared by the assessment report (`--format pdf`) and any other page
cityguard prints (the city roll-up report reuses it). It lays the page out with the print
media rules of the HTML's own CSS (A4, page numbers in the page margins, table headers
repeated, rows kept whole) and the system's CJK fonts (Debian: fonts-wqy-microhei or
fonts-noto-cjk, found through fontconfig).

Nothing is fetched: the URL fetcher refuses every URL except `data:` ones (the reports carry
their own CSS and SVG), so a link planted in scanner output cannot make the renderer reach
the network or read a local file (`data_only_fetcher`, on WeasyPrint's URLFetcher class).
WeasyPrint and its native libraries (pango, harfbuzz) are imported only here, when a PDF is
asked for.
"""

from __future__ import annotations

import logging
from typing import Any

from cityguard.core.errors import CityguardError

ALLOWED_SCHEMES = ("data:",)


class PdfEngineMissing(CityguardError):
    """WeasyPrint or the native libraries it needs (pango) are not installed."""

    exit_code = 2


class RefusedFetch(ValueError):
    """Raised inside WeasyPrint for a URL the report must not load (WeasyPrint then leaves
    the resource out and goes on)."""


def data_only_fetcher(record: list[str] | None = None) -> Any:
    """A WeasyPrint URL fetcher that serves `data:` URLs and refuses everything else.

    `record`, when given, receives every URL asked for (tests prove nothing got through).
    """
    from weasyprint.urls import URLFetcher

    class DataOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if record is not None:
                record.append(url)
            if not url.startswith(ALLOWED_SCHEMES):
                raise RefusedFetch(f"cityguard fetches nothing while rendering: {url[:80]}")
            return super().fetch(url, headers)

    return DataOnly(allowed_protocols=("data",), allow_redirects=False, timeout=1)


def _weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the pango shared library is missing
        raise PdfEngineMissing(
            "PDF output needs WeasyPrint and pango (Debian: apt-get install libpango-1.0-0 "
            f"libpangoft2-1.0-0 fonts-wqy-microhei; pip install weasyprint): {exc}"
        ) from exc
    return weasyprint


def render_document(html: bytes | str, *, url_fetcher: Any = None) -> Any:
    """The laid-out WeasyPrint Document (pages, boxes, anchors): for tests and page counts."""
    weasyprint = _weasyprint()
    text = html.decode("utf-8") if isinstance(html, bytes) else html
    # WeasyPrint logs every refused fetch and every CSS property it does not know (the
    # screen-only rules) as warnings; the report is complete without them
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    fetcher = url_fetcher if url_fetcher is not None else data_only_fetcher()
    return weasyprint.HTML(string=text, url_fetcher=fetcher, media_type="print").render()


def html_to_pdf(html: bytes | str, *, url_fetcher: Any = None) -> bytes:
    """The PDF of one self-contained HTML page (A4 and margins come from its print CSS)."""
    return bytes(render_document(html, url_fetcher=url_fetcher).write_pdf())
