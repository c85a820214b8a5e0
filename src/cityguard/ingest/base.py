"""The importer protocol: one scanner format = one module in ingest/importers/.

An importer is discovered automatically (every module of cityguard.ingest.importers is
imported and registers its class with @register). Its registry key is its `name`, equal to
the module stem. Importers take bytes in and give model Findings out; they never print,
never exit, never touch the store.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO, ClassVar, Protocol

from cityguard.core.registry import Registry
from cityguard.model import Finding

#: how many leading bytes `sniff` sees
HEAD_BYTES = 64 * 1024


class Importer(Protocol):
    name: ClassVar[str]  # registry key == module stem, e.g. "nessus", "nessus_csv"
    tool: ClassVar[str]  # tool family (fingerprint family), e.g. "nessus" for both nessus formats
    description: ClassVar[str]  # one line for `cityguard scans formats`

    def sniff(self, head: bytes) -> int:
        """0 = not mine; otherwise a confidence 1–100 (the highest bidder wins auto-detection).

        `head` is the first HEAD_BYTES of the file, possibly with a UTF-8 BOM. Decide from the
        content only, never from the file name.
        """
        ...

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        """Yield findings while reading; large files must stream (iterparse / ijson).

        Raise cityguard.errors.DataError(source, problem, line=…) for input that is not a
        valid file of this format. An empty or zero-finding report yields nothing and is fine.
        """
        ...


IMPORTERS: Registry[type[Importer]] = Registry("scan format")


def register(cls: type[Importer]) -> type[Importer]:
    IMPORTERS.register(cls)
    return cls
