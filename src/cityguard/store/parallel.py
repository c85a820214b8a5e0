"""Staging one large file read by two processes (ingest.split): this one and a forked child.

The child parses the second part of the file and turns its findings into stage rows, as
this process does with the first part; the rows travel through a spool, an anonymous
temporary file (O_TMPFILE: no name, mode 0600, gone when both processes have closed it,
killed or not) opened before the fork. The child never touches the store: this process
alone loads the stage, first its own part, then the spool, so the rows keep the file's
order and only one connection writes. The spool holds pickled tuples of plain values and is
read back with an unpickler that refuses every class and function.

If the first part did not end on a proven unit boundary, or the child failed (its part is
not well-formed, it was killed, it ran out of memory), the child is stopped and this
process reads the second part itself (TwoParts.rest): a file that fails, fails as in a
one-process read, with the same message and line.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import os
import pickle
import signal
import sys
import tempfile
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

from cityguard.store.backends import Bulk
from cityguard.store.imports import (
    STAGE,
    Texts,
    create_stage,
    load_batch,
    no_cycle_collection,
    stage_findings,
    staged_batches,
)

#: the child's rows are numbered from here (the stage orders by number: after the first part)
CHILD_FIRST_SEQ = 1 << 40
_COLUMNS = [name for name, _ in STAGE]
_ASSET, _FP64 = _COLUMNS.index("asset_key"), _COLUMNS.index("fp64")  # in a stage row


class TwoParts(Protocol):
    """ingest.split.TwoParts, as the store uses it."""

    def first(self) -> Any: ...
    def confirmed(self) -> bool: ...
    def second(self) -> Any: ...
    def rest(self) -> Any: ...
    second_bytes: int
    def given_before(self, asset_key: str, prefix: int) -> bool: ...
    def gave(self, asset_key: str) -> bool: ...
    def close(self) -> None: ...


class OpenEarly(Protocol):
    """What the caller does once the first part is staged (Store.import_findings)."""

    def begin(self, first_part_rows: int, second_bytes: int) -> bool:
        """Take the write lock; insert the first part into `findings` and return True when
        the rest may follow batch by batch (a system's first import, and a second part
        short enough to hold the lock while it is parsed), else False."""
        ...

    def more(self, end_seq: int) -> None:
        """Insert the staged rows numbered below `end_seq` not inserted yet."""
        ...

    def undo(self, resume_at: int) -> None:
        """Take back what came from the child: this process reads on from `resume_at`."""
        ...


def stage_in_two(bulk: Bulk, parts: TwoParts, now: str, early: OpenEarly | None = None
                 ) -> int:
    """Stage both parts; how many findings were read. With `early`, a system's first import
    goes into `findings` while the child still parses (the merge's insert, ~a fifth of the
    import, no longer waits for the whole file)."""
    create_stage(bulk)
    spool = _Spool()
    child = 0
    parent = os.getpid()
    try:
        try:
            child = os.fork()
        except OSError:  # no process to spare (a limit, memory): read both parts here
            return stage_findings(bulk, itertools.chain(parts.first(), parts.rest()), now,
                                  create=False)
        if child == 0:  # pragma: no cover - runs in the child, which ends with os._exit
            _child(parts, spool, now, parent)
        spool.parent_side()
        texts = Texts()  # one memo for both parts' shared texts
        # the child's batches are loaded as they come, between this part's own batches
        read = stage_findings(bulk, parts.first(), now, texts=texts, create=False,
                              between=lambda: spool.load(bulk, wait=False))
        inserting = False
        if parts.confirmed():
            # the first part is whole: its reader knows every identity it gave, so the
            # child's rows are checked against it now and as they come
            spool.drop_given(bulk, parts)
            inserting = early is not None and early.begin(read, parts.second_bytes)
            more = (lambda: early.more(spool.next_seq)) if inserting and early else None
            if spool.load(bulk, wait=True, after=more) and _succeeded(child):
                child = 0
                return read + spool.read
        _stop(child)
        child = 0
        if inserting and early is not None:
            early.undo(read)
        spool.unload(bulk)
        return read + stage_findings(bulk, parts.rest(), now, first_seq=read, texts=texts,
                                     create=False)
    finally:
        if child:
            _stop(child)
        spool.close()
        parts.close()


class _Spool:
    """The child's stage rows: pickled batches in an anonymous file, each announced on a
    pipe (by the offset where it ends) once it is written, so this process loads a batch as
    soon as it is whole and the child never waits. This process reads with pread: the file's
    offset belongs to the child's writes (one open file, shared since the fork)."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self.notes_in, self.notes_out = os.pipe()
        self.ends: deque[int] = deque()  # ends of announced batches not loaded yet
        self.done = 0  # offset up to which batches were loaded
        self.pending = b""  # a part of an announcement
        self.ended = False  # the child closed its end of the pipe
        self.read = 0  # rows loaded (and kept)
        self.next_seq = CHILD_FIRST_SEQ  # the number after the last row loaded
        self.assets: set[str] = set()  # asset keys of the rows loaded before `given`
        self.given: TwoParts | None = None  # once set, rows it gave are not loaded
        self.broken = False  # a batch could not be read back: the child's part is lost

    # --- the child -------------------------------------------------------------------------

    def write(self, batch: object) -> None:  # pragma: no cover - child
        data = pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL)
        fd = self.file.fileno()
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        end = os.lseek(fd, 0, os.SEEK_CUR)
        os.write(self.notes_out, end.to_bytes(8, "little"))

    # --- this process ----------------------------------------------------------------------

    def parent_side(self) -> None:
        os.close(self.notes_out)
        self.notes_out = -1

    def _listen(self, block: bool) -> None:
        os.set_blocking(self.notes_in, block)
        while not self.ended:
            try:
                chunk = os.read(self.notes_in, 1 << 16)
            except BlockingIOError:
                return
            if not chunk:
                self.ended = True
                return
            self.pending += chunk
            whole = len(self.pending) - len(self.pending) % 8
            self.ends.extend(int.from_bytes(self.pending[i: i + 8], "little")
                             for i in range(0, whole, 8))  # fmt: skip
            self.pending = self.pending[whole:]
            if block:
                return

    def load(self, bulk: Bulk, wait: bool, after: Callable[[], object] | None = None) -> bool:
        """Load the batches announced so far; with `wait`, every batch until the child
        closes the pipe (`after` runs after each). Whether every announcement arrived
        whole."""
        while not self.broken:
            self._listen(block=wait and not self.ends)
            while self.ends:
                end = self.ends.popleft()
                try:
                    data = os.pread(self.file.fileno(), end - self.done, self.done)
                    if len(data) != end - self.done:
                        raise OSError("the spool is shorter than announced")
                    rows, texts = _PlainValues(io.BytesIO(data)).load()
                except (OSError, EOFError, ValueError, pickle.UnpicklingError):
                    # as if the child had failed: this process reads its part instead
                    self.broken = True
                    return False
                self.done = end
                if rows:
                    self.next_seq = rows[-1][0] + 1
                if self.given is not None:
                    gave = self.given.given_before
                    rows = [r for r in rows if not gave(r[_ASSET], r[_FP64])]
                with no_cycle_collection():
                    load_batch(bulk, rows, texts)
                self.read += len(rows)
                if self.given is None:  # drop_given looks at these once, later rows at once
                    self.assets.update(r[_ASSET] for r in rows)
                if after is not None:
                    after()
            if not wait or self.ended:
                return not self.pending
        return False

    def unload(self, bulk: Bulk) -> None:
        """Take the child's rows out of the stage again (this process reads its part)."""
        if self.read:
            bulk.db.execute("DELETE FROM stage WHERE seq >= ?", [CHILD_FIRST_SEQ])
        self.read = 0

    def drop_given(self, bulk: Bulk, parts: TwoParts) -> None:
        """Take out the child's rows the first part already gave (one address under two
        host names, one in each part), as a one-process read would have; the rows loaded
        from now on are checked as they come."""
        self.given = parts
        if not any(parts.gave(asset) for asset in self.assets):
            return
        drop = [(seq,) for seq, asset, fp64 in bulk.db.all(
            "SELECT seq, asset_key, fp64 FROM stage WHERE seq >= ?", [CHILD_FIRST_SEQ])
            if parts.given_before(asset, fp64)]  # fmt: skip
        bulk.db.executemany("DELETE FROM stage WHERE seq = ?", drop)
        self.read -= len(drop)

    def close(self) -> None:
        self.file.close()
        for fd in (self.notes_in, self.notes_out):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)


def _child(parts: TwoParts, spool: _Spool, now: str, parent: int) -> None:  # pragma: no cover
    """Parse the second part into the spool, then exit without running any of the parent's
    clean-up (its store connection, its temporary files, its atexit hooks are not ours)."""
    code = 1
    try:
        _die_with_parent(parent)
        # the parent's progress bar (a thread of rich's) may have held the locks of its
        # streams when it forked: the child gets streams of its own, to nowhere
        sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - ends with the child
        os.close(spool.notes_in)
        with no_cycle_collection():
            for batch in staged_batches(parts.second(), now, CHILD_FIRST_SEQ):
                spool.write(batch)
        code = 0
    except BaseException:  # noqa: BLE001, S110 - the parent reads the part itself and reports
        pass
    finally:
        os._exit(code)


def _die_with_parent(parent: int) -> None:  # pragma: no cover - child
    """A parent killed with SIGKILL takes the child with it (Linux prctl PR_SET_PDEATHSIG)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    if os.getppid() != parent:  # the parent was gone before the request took effect
        os._exit(1)


def _succeeded(child: int) -> bool:
    _, status = os.waitpid(child, 0)
    return os.waitstatus_to_exitcode(status) == 0


def _stop(child: int) -> None:
    with contextlib.suppress(ProcessLookupError, ChildProcessError):
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)


class _PlainValues(pickle.Unpickler):
    """Only tuples, lists, strings, bytes, numbers and None: no class, no function."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"the spool names {module}.{name}")


__all__ = ["CHILD_FIRST_SEQ", "OpenEarly", "TwoParts", "stage_in_two"]
