"""Streamed JSON is written in chunks of elements (issue 25): the bytes stay those of one
`json.dumps` of the whole document, whatever the length of each stream."""

from __future__ import annotations

import io
import json

import pytest

from cityguard.render._jsonstream import CHUNK, Stream, write_json


def _element(i: int) -> dict:
    return {"id": f"c{i}", "标题": "符合 / 不符合", "n": i, "ok": i % 2 == 0, "none": None,
            "nested": {"list": [i, f"x{i}", []], "empty": {}}, "quote": 'a "b" \\ c'}


@pytest.mark.parametrize("sizes", [(0, 0), (1, 2), (CHUNK - 1, CHUNK), (CHUNK + 1, 3 * CHUNK),
                                   (2 * CHUNK + 7, 0)])
def test_chunked_streams_give_the_bytes_of_one_dump(sizes: tuple[int, int]) -> None:
    first, second = ([_element(i) for i in range(n)] for n in sizes)
    streamed = {"head": "开始", "results": Stream(range(sizes[0]), _element),
                "middle": [1, 2], "items": Stream(second), "tail": {"k": "尾"}}
    plain = {"head": "开始", "results": first, "middle": [1, 2], "items": second,
             "tail": {"k": "尾"}}
    out = io.BytesIO()
    write_json(streamed, out)
    expected = json.dumps(plain, ensure_ascii=False, allow_nan=False) + "\n"
    assert out.getvalue() == expected.encode("utf-8")
    assert json.loads(out.getvalue()) == plain


def test_elements_are_made_one_chunk_at_a_time() -> None:
    """Memory stays flat: an element is made when its chunk is written, not all at first."""
    made: list[int] = []

    def make(i: int) -> int:
        made.append(i)
        return i

    class Watch(io.BytesIO):
        made_at_write: list[int] = []

        def write(self, b: bytes) -> int:  # type: ignore[override]
            self.made_at_write.append(len(made))
            return super().write(b)

    out = Watch()
    write_json({"r": Stream(range(3 * CHUNK), make)}, out)
    assert [n for n in out.made_at_write if n][:3] == [CHUNK, 2 * CHUNK, 3 * CHUNK]
    assert json.loads(out.getvalue()) == {"r": list(range(3 * CHUNK))}
