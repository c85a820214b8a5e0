"""The dashboard as a person uses it, in Debian's headless Chromium driven by Playwright (its
own browser is never downloaded: executable_path): sign in, the overview, a system, accept a
finding, sign out; screenshots of the main pages checked for visible Chinese text and for
missing-glyph boxes; hostile text from scanners and the register stays inert on every page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import HOSTILE_SYSTEM, PASSWORDS, PORTAL, audit_rows

pytestmark = pytest.mark.browser
#: where the screenshots go (CI may keep them as artefacts); a temporary folder otherwise
SHOTS_ENV = "CITYGUARD_SCREENSHOTS"
NO_SANDBOX = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update",
              "--disable-sync"]

#: draws every distinct non-ASCII character of the page next to a character no font has
#: (U+0378 is unassigned): identical pixels mean the page shows a box instead of a glyph
GLYPH_CHECK = """() => {
  const text = document.body.innerText;
  const chars = [...new Set([...text].filter(c => c.charCodeAt(0) > 127 && c.trim()))];
  const font = getComputedStyle(document.body).font;
  const canvas = document.createElement('canvas'); canvas.width = 40; canvas.height = 40;
  const g = canvas.getContext('2d');
  const draw = c => { g.clearRect(0, 0, 40, 40); g.font = font; g.fillText(c, 4, 30);
                      return g.getImageData(0, 0, 40, 40).data.join(','); };
  const tofu = draw('\\u0378');
  return {chars: chars.length, missing: chars.filter(c => draw(c) === tofu)};
}"""


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip("headless Chromium not installed (.ci/run installs the Debian package)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=NO_SANDBOX)
        yield b
        b.close()


def _inert(page) -> None:
    """No payload ran: title unchanged, no element a payload would add, no javascript: link."""
    assert not page.title().startswith("PWNED")  # a payload that ran sets the whole title
    assert page.locator("#pwned, #pwned-link, #pwned-frame, iframe, script").count() == 0
    assert page.evaluate("() => [...document.querySelectorAll('a')].filter(a => "
                         "a.href.toLowerCase().startsWith('javascript')).length") == 0
    assert page.evaluate("() => [...document.querySelectorAll('*')].filter(e => "
                         "[...e.attributes].some(a => a.name.startsWith('on'))).length") == 0


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    import os

    folder = Path(os.environ.get(SHOTS_ENV) or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _shot(page, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    result = page.evaluate(GLYPH_CHECK)
    assert result["chars"] > 10, name  # Chinese text is there …
    assert result["missing"] == [], (name, result["missing"][:20])  # … and every glyph drawn
    assert path.stat().st_size > 10_000
    return path


def test_sign_in_overview_system_accept_sign_out(sqlite_server, browser, shots):
    errors: list[str] = []
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith(sqlite_server.url) else None)

    page.goto(sqlite_server.url + "/")
    assert page.url.startswith(sqlite_server.url + "/login")
    page.fill("#name", "analyst1")
    page.fill("#password", PASSWORDS["analyst1"])
    page.click("#signin")
    page.wait_for_url(sqlite_server.url + "/")
    assert page.inner_text("h1") == "全市等级保护态势概览"
    assert "分析员" in page.inner_text("#who")
    assert page.locator("svg.chart").count() == 4
    _inert(page)
    _shot(page, shots, "overview")

    page.click(f"text={PORTAL}")
    assert page.inner_text("#system-name") == PORTAL
    assert page.locator("#runs tbody tr").count() == 2
    _inert(page)
    _shot(page, shots, "system")

    page.click("#findings-table tbody tr:first-child td:first-child a")
    fid = page.url.rsplit("/", 1)[1]
    _inert(page)
    page.fill("#accept-reason", "WAF 规则已拦截 <script>alert(1)</script>")
    page.fill("#accept-until", "2099-03-31")
    page.click("#accept")
    page.wait_for_selector("#done")
    assert "已接受风险" in page.inner_text("#state")
    assert "<script>alert(1)</script>" in page.inner_text("#history")  # shown as text
    _inert(page)
    _shot(page, shots, "finding")

    page.goto(sqlite_server.url + "/findings?severity=critical")
    _inert(page)
    _shot(page, shots, "findings")

    page.click("#logout")
    page.wait_for_url(sqlite_server.url + "/login")
    page.goto(sqlite_server.url + "/findings")
    assert page.url.startswith(sqlite_server.url + "/login")
    assert not outside, outside  # nothing but the dashboard itself was asked for
    assert not [e for e in errors if "Content Security Policy" in e]
    rows = audit_rows(sqlite_server.store, actor="analyst1")
    assert any(r["action"] == "triage.accept" and f"finding {fid}" in r["target"]
               and "WAF" in r["reason"] for r in rows)
    assert any(r["action"] == "logout" for r in rows)
    ctx.close()


def test_hostile_register_and_scanner_text_stays_inert_on_every_page(sqlite_server, browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.goto(sqlite_server.url + "/login")
    page.fill("#name", "viewer1")
    page.fill("#password", PASSWORDS["viewer1"])
    page.click("#signin")
    page.wait_for_url(sqlite_server.url + "/")
    from urllib.parse import quote

    name = quote(HOSTILE_SYSTEM[:200])
    runs = sqlite_server.facts["run_ids"]
    pages = ["/", "/findings", "/findings?status=active", f"/system?name={name}",
             f"/system?name={quote(PORTAL)}",
             f"/system/report?name={quote(PORTAL)}&run={runs[1]}",
             f"/system/diff?name={quote(PORTAL)}&a={runs[0]}&b={runs[1]}",
             "/lang/en?next=/", "/findings?severity=info"]
    pages += [f"/findings/{i}" for i in sqlite_server.facts["finding_ids"][:6]]
    for path in pages:
        page.goto(sqlite_server.url + path, wait_until="load")
        page.wait_for_timeout(50)
        _inert(page)
    page.goto(sqlite_server.url + f"/system?name={name}")
    assert "<script>" in page.inner_text("#system-name")  # the name, as text
    ctx.close()


def test_english_switch(sqlite_server, browser):
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(sqlite_server.url + "/lang/en?next=/login")
    assert page.inner_text("h1") == "Sign in"
    page.fill("#name", "viewer1")
    page.fill("#password", PASSWORDS["viewer1"])
    page.click("#signin")
    page.wait_for_url(sqlite_server.url + "/")
    assert page.inner_text("h1") == "City MLPS posture overview"
    ctx.close()
