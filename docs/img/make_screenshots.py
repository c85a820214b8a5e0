"""The terminal screenshots of docs/terminal.md, taken from a real 80-column tmux session.

Usage (from the repository root, with tmux and chromium installed):

    .venv/bin/python docs/img/make_screenshots.py

Each command runs in its own detached tmux session 80 cells wide (TERM=xterm-256color, no
NO_COLOR), the pane is captured with its colours (`tmux capture-pane -e`), turned into HTML by
rich and photographed by headless Chromium into docs/img/terminal-<name>.png. The captured
text is kept beside it (terminal-<name>.txt) so a review can read and diff it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "docs" / "img"
EXAMPLE = "examples/smart-city-portal"
WIDTH = 80
SHOTS = {
    "assess": f"cityguard assess --manifest {EXAMPLE}/cityguard.yaml --today 2025-09-01 "
              "--no-store --output /tmp/cityguard-shot --top 5",
    "gate": f"cityguard gate --manifest {EXAMPLE}/cityguard.yaml --stage deploy "
            "--today 2027-09-01",
    "scans-import": f"cityguard scans import {EXAMPLE}/scans/web01.nessus "
                    f"{EXAMPLE}/scans/portal-image.trivy.json nope.xml --store /tmp/shot.db",
}
PAGE = """<!doctype html><meta charset="utf-8"><style>
body {{ margin: 0; background: #1e1e1e; }}
pre {{ margin: 0; padding: 12px 16px; color: #d4d4d4; background: #1e1e1e;
      font: 16px/1.3 "WenQuanYi Micro Hei Mono", "DejaVu Sans Mono", monospace; }}
pre span {{ display: inline-block; text-align: center; white-space: pre; }}
</style><pre>{code}</pre>"""


def capture(name: str, command: str) -> str:
    """The pane's text with colours after the command ran in an 80-column tmux session."""
    socket = f"cityguard-shot-{os.getpid()}"
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "TMUX")}
    env.update(TERM="xterm-256color", PATH=f"{Path(sys.executable).parent}:{env['PATH']}")
    shell = f"cd {REPO} && rm -f /tmp/shot.db && clear && printf '$ %s\\n' '{command}' && " \
            f"{command}; echo; echo EXIT=$?; sleep 120"
    subprocess.run(["tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-x",
                    str(WIDTH), "-y", "200", shell], env=env, check=True)
    try:
        for _ in range(600):
            text = subprocess.run(["tmux", "-L", socket, "capture-pane", "-p", "-e", "-t", "0"],
                                  env=env, capture_output=True, text=True).stdout
            if "EXIT=" in text:
                break
            time.sleep(0.5)
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], env=env)
    from rich.text import Text

    lines = [x for x in text.rstrip("\n").splitlines()
             if not Text.from_ansi(x).plain.startswith("EXIT=")]
    while lines and not Text.from_ansi(lines[-1]).plain.strip():
        lines.pop()
    return "\n".join(lines)


def _html(ansi: str) -> str:
    """Each character in a box one or two cells wide (0.5em a cell), so a table lines up
    whatever width the font gives box-drawing characters."""
    from html import escape

    from rich.console import Console
    from rich.terminal_theme import MONOKAI
    from rich.text import Text

    from cityguard.cli._text import char_width

    console = Console(width=WIDTH, force_terminal=True, color_system="truecolor")
    out = []
    for line in ansi.split("\n"):
        for seg in Text.from_ansi(line).render(console):
            css = ""
            if seg.style is not None:
                if seg.style.color is not None and not seg.style.color.is_default:
                    r, g, b = seg.style.color.get_truecolor(MONOKAI)
                    css += f"color:#{r:02x}{g:02x}{b:02x};"
                if seg.style.bold:
                    css += "font-weight:bold;"
                if seg.style.dim:
                    css += "opacity:.65;"
            for ch in seg.text:
                out.append(f'<span style="width:{char_width(ch) * 0.5}em;{css}">'
                           f"{escape(ch)}</span>")
        out.append("\n")
    return PAGE.format(code="".join(out))


def photograph(name: str, ansi: str) -> Path:
    from rich.text import Text

    lines = ansi.count("\n") + 1
    png = OUT / f"terminal-{name}.png"
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "shot.html"
        page.write_text(_html(ansi), encoding="utf-8")
        subprocess.run([shutil.which("chromium") or "chromium", "--headless", "--no-sandbox",
                        "--disable-gpu", "--hide-scrollbars", f"--screenshot={png}",
                        f"--window-size={WIDTH * 8 + 32},{int(lines * 20.8) + 30}",
                        page.as_uri()], check=True, capture_output=True, timeout=120)
    (OUT / f"terminal-{name}.txt").write_text(Text.from_ansi(ansi).plain + "\n", "utf-8")
    return png


def main() -> int:
    for name, command in SHOTS.items():
        print(photograph(name, capture(name, command)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
