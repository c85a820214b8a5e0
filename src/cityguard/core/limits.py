"""The one place for input bounds (docs/security.md lists them with the reasons).

Every file cityguard reads is untrusted: manifests come from repositories, configuration from
assessed hosts, scan files from scanners run by others. Each loader takes its bound from here,
so a hostile input ends in one line and exit 2 (or an `error` result for a file of an assessed
host), never in a hang, a swap storm or a truncated judgement.
"""

from __future__ import annotations

import os
from pathlib import Path

from cityguard.core.errors import DataError

MiB = 1024 * 1024

#: YAML we parse (manifests, answers, inventories, waivers, custom checks, policies)
MAX_YAML_BYTES = 8 * MiB
#: alias references (*name) in one YAML file; hand-written files use a few dozen at most
#: (policies/mlps2/control_points.yaml: 63), a bomb needs many or nested ones
MAX_YAML_ALIASES = 100
#: values the aliases of one YAML file would add when expanded: a "billion laughs" needs only
#: ~70 aliases, but nested, so their expansion is what gives it away
MAX_YAML_ALIAS_NODES = 100_000
#: nesting of YAML collections and of JSON values (scan files, report FILE.json)
MAX_NESTING = 200
#: one JSON member name; ijson keeps the path of names to every open level, so long names
#: multiply with depth (200 levels x 4 KiB stays under 100 MB)
MAX_JSON_KEY = 4 * 1024
#: a JSON document parsed whole in memory (small scan formats, one JSON Lines line, an
#: Assessment JSON for `report`); streamed formats are bounded per item, not by size
MAX_WHOLE_JSON = 256 * MiB
#: a file of an assessed host read by a check; larger is an `error` result, never a prefix
MAX_TARGET_FILE = 16 * MiB
#: what one compressed file may expand to (apt lists: ~50 MB uncompressed for Debian main)
MAX_DECOMPRESSED = 256 * MiB
#: one line of a host file that a pattern is matched against
MAX_LINE = 64 * 1024
#: the longest a regular expression of a check may run on one file before it is abandoned
REGEX_SECONDS = 2.0


def check_size(path: str | Path, limit: int, what: str = "file") -> int:
    """The file's size, or DataError naming the file when it is over `limit` bytes."""
    size = os.stat(path).st_size
    if size > limit:
        raise DataError(path, f"{what} is {size / MiB:.1f} MiB, over the limit of "
                              f"{limit / MiB:.0f} MiB")
    return size
