"""Properties of ingestion planning: every file decided once, nothing ingested twice, skips
reported once, and hashing only the files that could be duplicates changes no decision."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medallion.errors import ConfigError
from medallion.ingest.landing import LandingFile
from medallion.ingest.ledger import (
    EMPTY,
    FAILED,
    INGESTED,
    LANDED,
    SKIPPED_DUPLICATE,
    SKIPPED_MODIFIED,
    LedgerEntry,
    Plan,
    files_to_hash,
    next_batch_id,
    plan_ingestion,
    skip_status,
)
from medallion.ingest.policy import IngestPolicy
from medallion.sources import BY_BRONZE_NAME

TABLE = BY_BRONZE_NAME["crm_cust_info"]
PATHS = [f"crm/cust_info/data/{name}.csv" for name in "abcde"]
STATUSES = [INGESTED, EMPTY, FAILED, SKIPPED_MODIFIED, SKIPPED_DUPLICATE]


def size_of(content: int) -> int:
    """Content 0 is the 0-byte file; 1 and 2 (3 and 4) share a size with other bytes."""
    return 0 if content == 0 else 10 * ((content + 1) // 2)


def hash_of(content: int) -> str:
    return f"sha-{content}"


@dataclass(frozen=True)
class World:
    found: list[LandingFile]
    contents: dict[str, int]  # path -> the content id of the file found there
    ledger: list[LedgerEntry]


@st.composite
def worlds(draw: st.DrawFn) -> World:
    found_at = draw(
        st.dictionaries(st.sampled_from(PATHS), st.tuples(st.integers(0, 5), st.integers(0, 2)))
    )
    found = [LandingFile(p, size_of(c), m, TABLE) for p, (c, m) in found_at.items()]
    ledger = []
    for path, content, mtime, batch, status, hashed in draw(
        st.lists(
            st.tuples(
                st.sampled_from(PATHS),
                st.integers(0, 5),
                st.integers(0, 2),
                st.integers(1, 3),
                st.sampled_from(STATUSES),
                st.booleans(),
            ),
            max_size=8,
        )
    ):
        # A ledger entry for the very version found now held the same bytes.
        if (
            path in found_at
            and found_at[path][1] == mtime
            and size_of(found_at[path][0]) == size_of(content)
        ):
            content = found_at[path][0]
        known = hashed and status in (INGESTED, EMPTY, SKIPPED_DUPLICATE)
        ledger.append(
            LedgerEntry(
                path, size_of(content), mtime, batch, status, hash_of(content) if known else None
            )
        )
    return World(found, {p: c for p, (c, _) in found_at.items()}, ledger)


policies = st.builds(
    IngestPolicy,
    on_modified=st.sampled_from(["skip", "reingest"]),
    on_duplicate=st.sampled_from(["skip", "ingest"]),
)


def all_hashes(world: World) -> dict[str, str]:
    return {f.path: hash_of(world.contents[f.path]) for f in world.found}


def cheap_plan(world: World, policy: IngestPolicy) -> Plan:
    """The plan as ingest() makes it: hashes only for the files files_to_hash names."""
    needed = files_to_hash(world.found, world.ledger, policy)
    return plan_ingestion(
        world.found, world.ledger, {f.path: hash_of(world.contents[f.path]) for f in needed}, policy
    )


def applied(world: World, plan: Plan) -> list[LedgerEntry]:
    """The ledger after running the plan: what ingest() records for each decision."""
    batch = next_batch_id(world.ledger)
    added = []
    for d in plan.decisions:
        f = d.file
        if d.ingest:  # the reader hashes every file it reads
            added.append(
                LedgerEntry(
                    f.path, f.size, f.mtime_ns, batch, INGESTED, hash_of(world.contents[f.path])
                )
            )
        elif d.kind != "already":
            added.append(
                LedgerEntry(f.path, f.size, f.mtime_ns, batch, skip_status(d), d.content_hash)
            )
    return world.ledger + added


@given(worlds(), policies)
def test_every_file_is_decided_once_in_path_order(world: World, policy: IngestPolicy) -> None:
    plan = cheap_plan(world, policy)
    assert [d.file for d in plan.decisions] == sorted(world.found, key=lambda f: f.path)


@given(worlds(), policies)
def test_hashing_only_possible_duplicates_changes_no_decision(
    world: World, policy: IngestPolicy
) -> None:
    needed = files_to_hash(world.found, world.ledger, policy)
    assert all(f.size > 0 for f in needed)
    full = plan_ingestion(world.found, world.ledger, all_hashes(world), policy)
    cheap = cheap_plan(world, policy)
    assert [(d.file, d.kind, d.ingest, d.same_as) for d in cheap.decisions] == [
        (d.file, d.kind, d.ingest, d.same_as) for d in full.decisions
    ]


def test_a_version_hashed_by_an_earlier_skip_is_still_a_duplicate_after_a_later_skip() -> None:
    """files_to_hash does not hash a version any ledger entry hashed; the plan must then take
    that hash, not only the last skip's (found by Hypothesis: a later skip without a hash made
    the file "new" and ingested it twice)."""
    a, b = PATHS[:2]
    world = World(
        found=[LandingFile(a, 10, 1, TABLE)],
        contents={a: 1},
        ledger=[
            LedgerEntry(a, 10, 1, 1, SKIPPED_DUPLICATE, hash_of(1)),
            LedgerEntry(b, 10, 0, 1, INGESTED, hash_of(1)),
            LedgerEntry(a, 10, 1, 2, SKIPPED_MODIFIED, None),
        ],
    )
    policy = IngestPolicy(on_modified="skip", on_duplicate="skip")
    assert files_to_hash(world.found, world.ledger, policy) == []
    (decision,) = cheap_plan(world, policy).decisions
    assert (decision.kind, decision.ingest, decision.same_as) == ("duplicate", False, b)


@given(worlds(), policies)
def test_a_settled_version_is_never_ingested_or_hashed_again(
    world: World, policy: IngestPolicy
) -> None:
    settled = {(e.path, e.size, e.mtime_ns) for e in world.ledger if e.status in LANDED | {FAILED}}
    needed = {f.path for f in files_to_hash(world.found, world.ledger, policy)}
    for d in cheap_plan(world, policy).decisions:
        if (d.file.path, d.file.size, d.file.mtime_ns) in settled:
            assert d.kind == "already" and not d.ingest and d.file.path not in needed


@given(worlds(), policies)
def test_a_changed_file_is_only_ingested_under_reingest(world: World, policy: IngestPolicy) -> None:
    landed_paths = {e.path for e in world.ledger if e.status in LANDED}
    for d in cheap_plan(world, policy).decisions:
        if d.ingest and d.file.path in landed_paths:
            assert policy.on_modified == "reingest"


@given(worlds(), policies)
def test_no_bytes_land_twice_when_duplicates_are_skipped(
    world: World, policy: IngestPolicy
) -> None:
    in_bronze = {
        e.content_hash for e in world.ledger if e.status in LANDED and e.content_hash and e.size
    }
    plan = cheap_plan(world, policy)
    landing = [hash_of(world.contents[d.file.path]) for d in plan.new if d.file.size > 0]
    if policy.on_duplicate == "skip":
        assert len(landing) == len(set(landing))
        assert not set(landing) & in_bronze
    for d in plan.decisions:
        if d.kind == "duplicate":
            assert d.same_as is not None and d.content_hash == hash_of(world.contents[d.file.path])


@given(worlds(), policies)
def test_a_second_run_finds_everything_settled(world: World, policy: IngestPolicy) -> None:
    """Idempotence: after a run, the same files decide nothing new, and skips are not
    reported again."""
    after = World(world.found, world.contents, applied(world, cheap_plan(world, policy)))
    again = cheap_plan(after, policy)
    assert all(d.kind == "already" and not d.ingest for d in again.decisions)


@given(worlds())
def test_permissive_policy_ingests_every_unsettled_file(world: World) -> None:
    policy = IngestPolicy(on_modified="reingest", on_duplicate="ingest")
    settled = {(e.path, e.size, e.mtime_ns) for e in world.ledger if e.status in LANDED | {FAILED}}
    for d in cheap_plan(world, policy).decisions:
        assert d.ingest == ((d.file.path, d.file.size, d.file.mtime_ns) not in settled)


def test_defaults_report_changed_and_duplicate_files() -> None:
    a = LandingFile(PATHS[0], 10, 2, TABLE)
    b = LandingFile(PATHS[1], 10, 1, TABLE)
    ledger = [LedgerEntry(PATHS[0], 10, 1, 1, INGESTED, "sha-1")]
    plan = plan_ingestion([a, b], ledger, {PATHS[1]: "sha-1"})
    assert [(d.kind, d.ingest, d.same_as) for d in plan.decisions] == [
        ("modified", False, None),
        ("duplicate", False, PATHS[0]),
    ]
    # A touched file re-ingested is caught as the same bytes as its own earlier version.
    touched = plan_ingestion([a], ledger, {PATHS[0]: "sha-1"}, IngestPolicy(on_modified="reingest"))
    assert [(d.kind, d.ingest, d.same_as) for d in touched.decisions] == [
        ("duplicate", False, PATHS[0])
    ]


def test_policy_names_what_is_wrong_with_it() -> None:
    with pytest.raises(ConfigError, match="on_modified 'replace' is not a policy"):
        IngestPolicy(on_modified="replace")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="unknown table 'cust_info': use one of crm_cust_info"):
        IngestPolicy(schema_evolution={"cust_info": "rescue"})
    with pytest.raises(ConfigError, match="mode 'merge' for crm_cust_info is not a mode"):
        IngestPolicy(schema_evolution={"crm_cust_info": "merge"})
    modes = {"crm_cust_info": "rescue"}
    policy = IngestPolicy(schema_evolution=modes)
    modes["crm_cust_info"] = "none"  # the caller's dict changing later changes nothing
    assert (
        policy.mode("crm_cust_info") == "rescue"
        and policy.mode("erp_loc_a101") == "add_new_columns"
    )
