"""Reading the Databricks Asset Bundle (jobs/databricks.yml) the way Databricks would, so that
the tests can parse its tasks' parameters with the real CLI and run them locally.

Two kinds of references are resolved: the bundle's own ``${var.name}`` and
``${workspace.current_user.short_name}`` (at deploy time, from the variables' defaults, a
target's overrides and a sample user) and the job's ``{{job.parameters.name}}`` (at run time,
from the job parameters)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml

BUNDLE = Path(__file__).resolve().parents[1] / "jobs" / "databricks.yml"
JOB = "medallion"  # the job with the pipeline's tasks (medallion_nightly only runs it)

#: What the Databricks CLI knows at deploy time besides the variables, for a sample developer.
DEPLOY_CONTEXT = {
    "bundle.name": "medallion",
    "workspace.current_user.short_name": "jane_doe",
    "workspace.current_user.userName": "jane.doe@example.com",
}

_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+)\}")
_JOB_PARAMETER = re.compile(r"\{\{\s*job\.parameters\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


@cache
def _load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def load_bundle(path: Path = BUNDLE) -> dict[str, Any]:
    """The bundle as YAML data (cached: treat it as read-only)."""
    return _load(Path(path).resolve())


def _context(target: str | None) -> dict[str, str]:
    return DEPLOY_CONTEXT | ({"bundle.target": target} if target else {})


def _substitute(text: str, lookup: Callable[[str], str]) -> str:
    """``text`` with each ``${a.b}`` replaced by ``lookup("a.b")``."""
    return _REFERENCE.sub(lambda match: lookup(match[1]), text)


def bundle_variables(bundle: Mapping[str, Any], target: str | None = None) -> dict[str, str]:
    """Every variable's value for ``target`` (its overrides over the defaults), with references
    to other variables and to the deploy context resolved, as the Databricks CLI does before
    deploying."""
    values = {name: spec.get("default") for name, spec in bundle.get("variables", {}).items()}
    if target is not None:
        values.update(bundle["targets"][target].get("variables") or {})
    unset = sorted(name for name, value in values.items() if value is None)
    if unset:
        raise ValueError(f"bundle variables without a value: {', '.join(unset)}")
    context = _context(target)
    resolved: dict[str, str] = {}

    def resolve(name: str, seen: tuple[str, ...]) -> str:
        if name in seen:
            raise ValueError(f"bundle variables refer to each other: {' -> '.join(seen)}")
        if name not in resolved:
            if name not in values:
                raise KeyError(f"${{var.{name}}} is not a bundle variable")

            def lookup(reference: str) -> str:
                if reference.startswith("var."):
                    return resolve(reference.removeprefix("var."), (*seen, name))
                return context[reference]

            resolved[name] = _substitute(str(values[name]), lookup)
        return resolved[name]

    return {name: resolve(name, ()) for name in values}


def resolve_variables(value: Any, variables: Mapping[str, str], target: str | None = None) -> Any:
    """``value`` (a string, list or mapping of them) with every ``${var.name}`` and deploy
    context reference replaced; other references (``${resources...}``) are left as they are."""
    context = _context(target)

    def lookup(reference: str) -> str:
        if reference.startswith("var."):
            return variables[reference.removeprefix("var.")]
        return context.get(reference, f"${{{reference}}}")

    if isinstance(value, str):
        return _substitute(value, lookup)
    if isinstance(value, list):
        return [resolve_variables(item, variables, target) for item in value]
    if isinstance(value, dict):
        return {key: resolve_variables(item, variables, target) for key, item in value.items()}
    return value


def job_parameter_defaults(
    bundle: Mapping[str, Any], job: str = JOB, target: str | None = None
) -> dict[str, str]:
    """The job's parameters with their default values as deployed to ``target``."""
    variables = bundle_variables(bundle, target)
    return {
        parameter["name"]: resolve_variables(str(parameter["default"]), variables, target)
        for parameter in bundle["resources"]["jobs"][job].get("parameters", [])
    }


def ordered_tasks(job: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The job's tasks in an order Databricks may run them: each after all it depends on.
    Raises ValueError for a repeated task key, a dependency on a missing task or a cycle."""
    tasks = {task["task_key"]: task for task in job["tasks"]}
    if len(tasks) != len(job["tasks"]):
        raise ValueError("two tasks have the same task_key")
    ordered: list[dict[str, Any]] = []
    state: dict[str, str] = {}

    def visit(key: str, path: tuple[str, ...]) -> None:
        if key not in tasks:
            raise ValueError(f"task {path[-1]!r} depends on unknown task {key!r}")
        if state.get(key) == "done":
            return
        if state.get(key) == "visiting":
            raise ValueError(f"tasks depend on each other: {' -> '.join((*path, key))}")
        state[key] = "visiting"
        for dependency in tasks[key].get("depends_on", []):
            visit(dependency["task_key"], (*path, key))
        state[key] = "done"
        ordered.append(tasks[key])

    for key in tasks:
        visit(key, ())
    return ordered


def substitute_job_parameters(args: list[str], values: Mapping[str, str]) -> list[str]:
    """``args`` with every ``{{job.parameters.name}}`` replaced by ``values[name]``; a name
    missing from ``values`` raises KeyError, as Databricks fails a run on an unknown one."""

    def value(match: re.Match[str]) -> str:
        if match[1] not in values:
            raise KeyError(f"{match[0]} is not among the given job parameters {sorted(values)}")
        return values[match[1]]

    return [_JOB_PARAMETER.sub(value, str(arg)) for arg in args]


def job_parameter_references(args: list[str]) -> set[str]:
    """The job parameter names that ``args`` refer to."""
    return {name for arg in args for name in _JOB_PARAMETER.findall(str(arg))}


def job_task_args(
    bundle_path: Path, substitutions: Mapping[str, str], job: str = JOB
) -> list[tuple[str, list[str]]]:
    """Each python_wheel_task of ``job`` as (task key, CLI arguments), in dependency order,
    with ``{{job.parameters.X}}`` replaced by ``substitutions[X]``: what the wheel's entry
    point receives as its arguments when Databricks runs the task."""
    spec = load_bundle(bundle_path)["resources"]["jobs"][job]
    found = []
    for task in ordered_tasks(spec):
        parameters = task["python_wheel_task"].get("parameters", [])
        found.append((task["task_key"], substitute_job_parameters(parameters, substitutions)))
    return found


def set_option(args: list[str], option: str, value: str | None) -> list[str]:
    """``args`` with ``option``'s value replaced (added when absent); ``value=None`` drops the
    option and its value. For running the job's tasks elsewhere, e.g. on DuckDB."""
    out: list[str] = []
    found = False
    items = iter(args)
    for arg in items:
        if arg == option:
            next(items, None)
            if value is not None and not found:
                out += [option, value]
            found = True
        elif arg.startswith(f"{option}="):
            if value is not None and not found:
                out += [option, value]
            found = True
        else:
            out.append(arg)
    if not found and value is not None:
        out += [option, value]
    return out
