"""A merge compiles without Ibis fusing selects, and leaves the option as it found it."""

from __future__ import annotations

import ibis
import pytest

from medallion.strategies import _selects_unfused


@pytest.mark.parametrize("fused", [True, False])
def test_selects_are_unfused_inside_and_the_option_restored_after_a_failure(fused: bool) -> None:
    before = ibis.options.sql.fuse_selects
    ibis.options.sql.fuse_selects = fused
    try:
        with pytest.raises(RuntimeError, match="inside"), _selects_unfused():
            assert ibis.options.sql.fuse_selects is False
            raise RuntimeError("inside")
        assert ibis.options.sql.fuse_selects is fused
    finally:
        ibis.options.sql.fuse_selects = before


def test_an_unfused_query_gives_the_same_rows() -> None:
    con = ibis.duckdb.connect()
    t = ibis.memtable({"a": [1, 2, 3], "b": [4, 5, 6]})
    expr = t.mutate(c=t.a + t.b).filter(ibis._.c > 6).select("a", "c").order_by("a")
    fused, rows = con.compile(expr), con.to_pyarrow(expr).to_pylist()
    with _selects_unfused():
        unfused, again = con.compile(expr), con.to_pyarrow(expr).to_pylist()
    assert unfused != fused  # nested selects instead of one
    assert again == rows == [{"a": 2, "c": 7}, {"a": 3, "c": 9}]
