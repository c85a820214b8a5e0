"""CSV writing for csv_findings and csv_items: the one writer in core/csvsafe.py.

UTF-8 with a byte-order mark so Excel shows Chinese text correctly, RFC 4180 quoting, CRLF
lines, and cells a spreadsheet would run as a formula (starting with = + - @ or a tab / CR)
get a leading apostrophe (OWASP "CSV injection"); numbers stay numbers.
"""

from __future__ import annotations

from cityguard.core.csvsafe import safe_cell, write_csv

__all__ = ["safe_cell", "write_csv"]
