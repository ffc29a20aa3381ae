"""The Databricks Asset Bundle (jobs/databricks.yml) checked without a workspace: a typo in a
task's CLI arguments, an entry point the wheel does not have or a broken task graph would only
show up as a failed run on Databricks, after a deploy and a cluster start."""

from __future__ import annotations

import importlib
import itertools
import tomllib
from pathlib import Path, PurePosixPath
from typing import Any

import click
import pytest

from medallion.cli import main
from medallion.config import SparkSettings
from medallion.job import main as job_main
from tests.bundle import (
    BUNDLE,
    JOB,
    bundle_variables,
    job_parameter_defaults,
    job_parameter_references,
    job_task_args,
    load_bundle,
    ordered_tasks,
    resolve_variables,
    set_option,
)

PYPROJECT = tomllib.loads((BUNDLE.parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
TARGETS = ("dev", "prod")
PIPELINE = ["ingest", "bronze", "silver", "gold", "test"]
# What each task asks of the CLI: the subcommand and the layers it selects.
TASK_COMMANDS = {
    "ingest": ("run", ("bronze",)),
    "bronze": ("test", ("bronze",)),
    "silver": ("run", ("silver",)),
    "gold": ("run", ("gold",)),
    "test": ("test", ()),
}


@pytest.fixture(scope="module")
def bundle() -> dict[str, Any]:
    return load_bundle(BUNDLE)


@pytest.fixture(scope="module")
def job(bundle: dict[str, Any]) -> dict[str, Any]:
    return bundle["resources"]["jobs"][JOB]


def volume_of(path: str) -> PurePosixPath:
    """/Volumes/<catalog>/<schema>/<volume> of a path on a Volume."""
    parts = PurePosixPath(path).parts
    assert parts[:2] == ("/", "Volumes") and len(parts) >= 5, f"{path} is not on a UC Volume"
    return PurePosixPath(*parts[:5])


def parse(args: list[str]) -> tuple[str, dict[str, Any]]:
    """Parse ``args`` with the real CLI, as the wheel's entry point would, without running the
    command: an unknown option or a bad value raises click's UsageError."""
    parent = click.Context(main, info_name="medallion")
    name = args[0]
    command = main.get_command(parent, name)
    assert command is not None, f"`medallion {name}` is not a command"
    with command.make_context(name, list(args[1:]), parent=parent) as ctx:
        return name, dict(ctx.params)


def test_bundle_parses_with_dev_as_default_target(bundle: dict[str, Any]) -> None:
    assert bundle["bundle"]["name"] == PYPROJECT["project"]["name"]
    assert set(bundle["targets"]) == set(TARGETS)
    assert bundle["targets"]["dev"] == bundle["targets"]["dev"] | {
        "mode": "development",
        "default": True,
    }
    prod = bundle["targets"]["prod"]
    # The CLI refuses a production target without an explicit root path (one shared copy).
    assert prod["mode"] == "production" and prod["workspace"]["root_path"]


def test_the_artifact_is_this_projects_wheel(bundle: dict[str, Any], job: dict[str, Any]) -> None:
    (artifact,) = bundle["artifacts"].values()
    assert artifact["type"] == "whl"
    root = (BUNDLE.parent / artifact["path"]).resolve()
    assert (root / "pyproject.toml").is_file() and root == BUNDLE.parents[1]
    assert "wheel" in artifact["build"] and "dist" in artifact["build"]
    built = [(BUNDLE.parent / f["source"]).resolve() for f in artifact["files"]]
    assert built == [root / "dist" / "*.whl"]
    for task in job["tasks"]:
        wheels = [library["whl"] for library in task["libraries"]]
        assert [(BUNDLE.parent / w).resolve() for w in wheels] == [root / "dist" / "*.whl"]


def test_every_task_runs_the_projects_console_script(job: dict[str, Any]) -> None:
    scripts = PYPROJECT["project"]["scripts"]
    clusters = {cluster["job_cluster_key"] for cluster in job["job_clusters"]}
    for task in job["tasks"]:
        wheel_task = task["python_wheel_task"]
        assert wheel_task["package_name"] == PYPROJECT["project"]["name"], task["task_key"]
        assert wheel_task["entry_point"] in scripts, task["task_key"]
        assert task["job_cluster_key"] in clusters, task["task_key"]
    for entry_point in {task["python_wheel_task"]["entry_point"] for task in job["tasks"]}:
        module, _, attribute = scripts[entry_point].partition(":")
        target: Any = importlib.import_module(module)
        for name in attribute.split("."):
            target = getattr(target, name)
        assert target is job_main and callable(target)


def test_tasks_run_in_pipeline_order(job: dict[str, Any]) -> None:
    assert [task["task_key"] for task in ordered_tasks(job)] == PIPELINE
    tasks = {task["task_key"]: task for task in job["tasks"]}
    for previous, key in itertools.pairwise(PIPELINE):
        assert tasks[key]["depends_on"] == [{"task_key": previous}], key
    assert "depends_on" not in tasks[PIPELINE[0]]


@pytest.mark.parametrize("target", TARGETS)
def test_every_task_is_accepted_by_the_cli(bundle: dict[str, Any], target: str) -> None:
    defaults = job_parameter_defaults(bundle, JOB, target)
    tasks = job_task_args(BUNDLE, defaults)
    assert [key for key, _ in tasks] == PIPELINE
    for key, args in tasks:
        command, params = parse(args)
        assert (command, params["selectors"]) == TASK_COMMANDS[key], key
        assert params["backend"] == "spark", key
        assert (params["spark_master"], params["spark_remote"]) == (None, None), key
        assert (params["catalog"], params["schema"]) == (defaults["catalog"], defaults["schema"])
        assert params["warehouse"] == Path(defaults["state"]), key
        if command == "run":
            assert params["landing"] == Path(defaults["landing"]), key
        # Catalog and schema become SQL identifiers: the settings refuse anything else.
        SparkSettings(catalog=params["catalog"], schema=params["schema"])


def test_an_unknown_option_fails_the_parse() -> None:
    """The check above would catch a misspelt option (the CLI's parse is strict)."""
    with pytest.raises(click.UsageError, match="--warehose"):
        parse(["run", "--backend", "spark", "--warehose", "/Volumes/c/s/v"])


def test_job_parameters_are_exactly_those_the_tasks_use(
    bundle: dict[str, Any], job: dict[str, Any]
) -> None:
    names = [parameter["name"] for parameter in job["parameters"]]
    used = set().union(
        *(job_parameter_references(t["python_wheel_task"]["parameters"]) for t in job["tasks"])
    )
    assert sorted(names) == sorted(used) == ["catalog", "landing", "schema", "state"]
    for target in TARGETS:
        assert all(job_parameter_defaults(bundle, JOB, target).values()), target


@pytest.mark.parametrize("target", TARGETS)
def test_trigger_watches_the_landing_volume_and_nothing_the_job_writes(
    bundle: dict[str, Any], job: dict[str, Any], target: str
) -> None:
    defaults = job_parameter_defaults(bundle, JOB, target)
    trigger = resolve_variables(job["trigger"], bundle_variables(bundle, target), target)
    url = trigger["file_arrival"]["url"]
    assert PurePosixPath(url) == PurePosixPath(defaults["landing"])
    landing = volume_of(url)
    assert landing.parts[2:4] == (defaults["catalog"], defaults["schema"])
    # The run records and the lock must not fire the trigger.
    assert volume_of(defaults["state"]) != landing
    # Both waits are at least the minimum the Jobs API accepts.
    assert trigger["file_arrival"]["min_time_between_triggers_seconds"] >= 60
    assert trigger["file_arrival"]["wait_after_last_change_seconds"] >= 60


def test_one_trigger_per_job_and_the_schedule_runs_the_same_job(
    bundle: dict[str, Any], job: dict[str, Any]
) -> None:
    """Databricks allows one trigger or schedule per job: the nightly schedule is on a second
    job whose only task runs the first, and runs never overlap (they share the warehouse
    lock): one at a time, the others queued."""
    jobs = bundle["resources"]["jobs"]
    for spec in jobs.values():
        assert not ("trigger" in spec and "schedule" in spec)
        assert spec["max_concurrent_runs"] == 1
    assert job["queue"] == {"enabled": True}
    (nightly,) = (spec for name, spec in jobs.items() if name != JOB)
    assert nightly["schedule"]["quartz_cron_expression"]
    (task,) = nightly["tasks"]
    assert task["run_job_task"]["job_id"] == f"${{resources.jobs.{JOB}.id}}"


def test_trigger_and_schedule_run_in_prod_only(bundle: dict[str, Any]) -> None:
    """Development mode pauses a trigger or schedule only where the job leaves pause_status
    unset (an explicit UNPAUSED would fire every developer's copy); prod unpauses them all."""
    for name, spec in bundle["resources"]["jobs"].items():
        for key in ("trigger", "schedule"):
            assert "pause_status" not in spec.get(key, {}), (name, key)
    assert "presets" not in bundle["targets"]["dev"]
    assert bundle["targets"]["prod"]["presets"] == {"trigger_pause_status": "UNPAUSED"}


def test_dev_writes_elsewhere_than_prod(bundle: dict[str, Any]) -> None:
    dev, prod = (job_parameter_defaults(bundle, JOB, target) for target in TARGETS)
    for name in ("schema", "landing", "state"):
        assert dev[name] != prod[name], name


def test_bundle_helpers() -> None:
    assert set_option(["run", "--backend", "spark", "--x"], "--backend", "duckdb") == [
        "run",
        "--backend",
        "duckdb",
        "--x",
    ]
    assert set_option(["test", "--schema=s"], "--schema", None) == ["test"]
    assert set_option(["test"], "--as-of", "2026-11-26") == ["test", "--as-of", "2026-11-26"]
    looped: dict[str, Any] = {
        "tasks": [{"task_key": "a", "depends_on": [{"task_key": "b"}]}, {"task_key": "b"}]
    }
    assert [t["task_key"] for t in ordered_tasks(looped)] == ["b", "a"]
    looped["tasks"][1]["depends_on"] = [{"task_key": "a"}]
    with pytest.raises(ValueError, match="depend on each other"):
        ordered_tasks(looped)


def test_the_job_entry_point_returns_on_success_and_exits_non_zero_on_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert job_main(["metrics", "list"]) is None  # no SystemExit(0) for Databricks to misread
    assert "revenue" in capsys.readouterr().out
    with pytest.raises(SystemExit) as failed:
        job_main(["status", "--warehouse", str(tmp_path / "none")])
    assert failed.value.code == 1
    assert capsys.readouterr().err.startswith("Error: no warehouse at ")
    with pytest.raises(SystemExit) as usage:
        job_main(["run", "--no-such-option"])
    assert usage.value.code == 2
    assert "No such option '--no-such-option'" in capsys.readouterr().err
