"""A file of OCSF records, one JSON object a line (NDJSON), for sites with no network path to
a SIEM: the file is carried across (air gap) and read by the SIEM's file input. Appended,
created 0600; every line is written whole (one write of a line ending in a newline)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from cityguard.notify.channels.base import Channel, Outcome, Wire
from cityguard.notify.events import Event
from cityguard.notify.siem.ocsf import to_ocsf
from cityguard.notify.siem.records import event_record
from cityguard.notify.target import Target
from cityguard.notify.text import Message, utf8_len


class File(Channel):
    name = "file"
    text_bytes = 64 * 1024
    required = (("path",),)

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self.path = Path(target.file("path") or "")

    def render(self, message: Message, event: Event, now: float) -> Wire:
        rec = event_record(event, message.title, message.text(self.budget(), utf8_len))
        line = json.dumps(to_ocsf(rec), ensure_ascii=False, separators=(",", ":")) + "\n"
        return Wire(target=self.target.name, channel=self.name, method="APPEND",
                    dest=str(self.path), body=line.encode("utf-8"))

    def send(self, wire: Wire) -> Outcome:
        try:
            append_private(self.path, wire.body)
        except OSError as exc:
            return Outcome.refused("io", f"cannot write {self.path} ({exc.strerror})")
        return Outcome.sent("written")


def append_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
