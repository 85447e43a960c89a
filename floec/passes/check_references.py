"""Pass `check-references`: what a compiler checks across one file that a schema cannot.

Reads: one elaborated file (`FloeSpec` or `PlatformSpec`) and its syntax tree (for the spans of
list items, which the AST does not keep one by one).
Writes: nothing; the file is unchanged.
Reports, with did-you-mean and a related span at the definition where there is one:
- FLC320 a schedule, sensor or backfill naming a job floe.yaml does not define (and a run-status
  sensor watching one);
- FLC321 an asset config naming a partition floe.yaml does not define;
- FLC322 a platform layer whose `storage_ref`/`catalog_ref`, or `compute_logs.storage_ref`,
  names no profile of the platform;
- FLC323 a cron expression that does not parse or names values out of range, pointing inside the
  string (grammar/cron.lark);
- FLC324 a job selection that does not parse, pointing inside the string
  (grammar/selection.lark);
- FLC325 a time zone the system's zone database does not know.

It runs in the front end, after elaboration, so `check`, `build` and the editor server all see
the same findings for a file without binding it to an environment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from floec.ast.nodes import (
    BatchJob,
    FloeSpec,
    PlatformSpec,
    RunStatusSensor,
    TimeWindowPartition,
)
from floec.diagnostics.model import Diagnostic, Related, make
from floec.span import Span
from floec.syntax.tree import MappingNode, Node, ScalarNode, SequenceNode, SyntaxTree


def check_references(spec: FloeSpec | PlatformSpec, tree: SyntaxTree) -> tuple[Diagnostic, ...]:
    """The cross-reference, cron, selection and time-zone findings of one file."""
    if isinstance(spec, FloeSpec):
        return tuple(_pipeline(spec, tree))
    return tuple(_platform(spec, tree))


# -- floe.yaml -------------------------------------------------------------------------------


def _pipeline(spec: FloeSpec, tree: SyntaxTree) -> Iterable[Diagnostic]:
    pre_aggregations = _at(tree, "consumption", "pre_aggregations", "refresh_schedule")
    if pre_aggregations is not None and isinstance(pre_aggregations, ScalarNode):
        yield from _cron(pre_aggregations.value, pre_aggregations, "consumption.pre_aggregations")
    orchestration = spec.orchestration
    if orchestration is None:
        return
    jobs = orchestration.jobs
    jobs_span = _key(tree, orchestration.span, "orchestration", "jobs")
    for kind, items in (
        ("schedule", orchestration.schedules),
        ("sensor", orchestration.sensors),
        ("backfill", orchestration.backfills),
    ):
        for name, item in sorted(items.items()):
            if item.job not in jobs:
                yield _unknown(
                    "FLC320",
                    f"{kind} '{name}' runs job '{item.job}', which floe.yaml does not define",
                    item.field_spans.get("job", item.span),
                    item.job,
                    jobs,
                    Related(jobs_span, "the jobs floe.yaml defines"),
                    "orchestration.jobs",
                )
            if isinstance(item, RunStatusSensor):
                for index, watched in enumerate(item.watched_jobs):
                    if watched not in jobs:
                        node = _at(tree, "orchestration", "sensors", name, "watched_jobs", index)
                        yield _unknown(
                            "FLC320",
                            f"sensor '{name}' watches job '{watched}', which floe.yaml does not "
                            "define",
                            node.span if node else item.field_spans.get("watched_jobs", item.span),
                            watched,
                            jobs,
                            Related(jobs_span, "the jobs floe.yaml defines"),
                            "orchestration.jobs",
                        )
    partitions = orchestration.partitions
    partitions_span = _key(tree, orchestration.span, "orchestration", "partitions")
    for name, asset in sorted(orchestration.assets.items()):
        if asset.partitions is not None and asset.partitions not in partitions:
            yield _unknown(
                "FLC321",
                f"asset config '{name}' uses partitions '{asset.partitions}', which floe.yaml "
                "does not define",
                asset.field_spans.get("partitions", asset.span),
                asset.partitions,
                partitions,
                Related(partitions_span, "the partitions floe.yaml defines"),
                "orchestration.partitions",
            )
    for name, schedule in sorted(orchestration.schedules.items()):
        node = _at(tree, "orchestration", "schedules", name, "cron_schedule")
        yield from _cron(schedule.cron_schedule, node, f"schedule '{name}'")
        yield from _timezone(schedule.timezone, schedule.field_spans.get("timezone"))
    for name, partition in sorted(orchestration.partitions.items()):
        if isinstance(partition, TimeWindowPartition):
            node = _at(tree, "orchestration", "partitions", name, "cron_schedule")
            yield from _cron(partition.cron_schedule, node, f"partitions '{name}'")
            yield from _timezone(partition.timezone, partition.field_spans.get("timezone"))
    for name, job in sorted(orchestration.jobs.items()):
        if isinstance(job, BatchJob):
            for index, text in enumerate(job.selection):
                node = _at(tree, "orchestration", "jobs", name, "selection", index)
                yield from _selection(text, node, f"job '{name}'")


def _cron(text: str, node: Node | None, owner: str) -> Iterable[Diagnostic]:
    from floec.cron import CronError, parse_cron

    result = parse_cron(text)
    if isinstance(result, CronError) and isinstance(node, ScalarNode):
        yield make(
            "FLC323",
            f"the cron schedule of {owner} is not valid: {result.message}",
            _inside(node, result.start, result.end),
            help=result.help,
        )


def _selection(text: str, node: Node | None, owner: str) -> Iterable[Diagnostic]:
    from floec.selection import SelectionError, parse_selection

    result = parse_selection(text)
    if isinstance(result, SelectionError) and isinstance(node, ScalarNode):
        yield make(
            "FLC324",
            f"the selection '{text}' of {owner} is not valid: {result.message}",
            _inside(node, result.start, result.end),
            help=result.help,
        )


def _timezone(name: str, span: Span | None) -> Iterable[Diagnostic]:
    if span is None or name == "UTC":
        return
    from floec.timezones import check_timezone

    problem = check_timezone(name)
    if problem is not None:
        yield make(
            "FLC325",
            problem,
            span,
            help="use an IANA time zone name such as UTC, Europe/Paris or America/New_York",
        )


# -- platform.yaml ---------------------------------------------------------------------------


def _platform(spec: PlatformSpec, tree: SyntaxTree) -> Iterable[Diagnostic]:
    for name, layer in sorted(spec.layers.items()):
        for field, kind, ref in (
            ("storage_ref", "storage", layer.storage_ref),
            ("catalog_ref", "catalogs", layer.catalog_ref),
        ):
            profiles: Mapping[str, object] = getattr(spec, kind)
            if ref not in profiles:
                yield _unknown(
                    "FLC322",
                    f"layer '{name}' names {kind} profile '{ref}', which this platform does not "
                    "define",
                    layer.field_spans.get(field, layer.span),
                    ref,
                    profiles,
                    Related(_key(tree, spec.span, kind), f"the {kind} of this platform"),
                    kind,
                )
    observability = spec.observability
    logs = observability.compute_logs if observability is not None else None
    if logs is not None and logs.storage_ref is not None and logs.storage_ref not in spec.storage:
        written = "storage_ref" in logs.field_spans
        if written or logs.manager_type in ("s3", "gcs", "azure_blob"):
            yield _unknown(
                "FLC322",
                f"compute_logs names storage profile '{logs.storage_ref}', which this platform "
                "does not define" + ("" if written else " (it is the default of `storage_ref`)"),
                logs.field_spans.get("storage_ref", logs.span),
                logs.storage_ref,
                spec.storage,
                Related(_key(tree, spec.span, "storage"), "the storage of this platform"),
                "storage",
            )


# -- helpers ---------------------------------------------------------------------------------


def _unknown(
    code: str,
    message: str,
    span: Span,
    name: str,
    defined: Mapping[str, object],
    related: Related,
    where: str,
) -> Diagnostic:
    available = sorted(defined)
    import difflib  # only to suggest a name: not on every start

    nearest = difflib.get_close_matches(name, available, n=1, cutoff=0.5)
    if nearest:
        message += f"; did you mean '{nearest[0]}'?"
        fix = f"write '{nearest[0]}'"
    elif available:
        fix = f"use one of: {', '.join(available)}"
    else:
        fix = f"define it under {where}"
    if nearest and len(available) > 1:
        fix += f" (defined: {', '.join(available)})"
    return make(code, message, span, help=fix, related=(related,))


def _key(tree: SyntaxTree, fallback: Span, *path: str) -> Span:
    """The span of the key at the end of `path` (`jobs:`), for a related location that does not
    repeat the whole block; `fallback` when the document does not have it."""
    parent = _at(tree, *path[:-1])
    entry = parent.get(path[-1]) if isinstance(parent, MappingNode) else None
    return entry.key.span if entry is not None else fallback


def _at(tree: SyntaxTree, *path: str | int) -> Node | None:
    """The node at a key path of the document (ints index sequences), if it is there."""
    node: Node = tree.root
    for step in path:
        if isinstance(step, int) and isinstance(node, SequenceNode) and step < len(node.items):
            node = node.items[step]
        elif isinstance(step, str) and isinstance(node, MappingNode):
            entry = node.get(step)
            if entry is None:
                return None
            node = entry.value
        else:
            return None
    return node


def _inside(node: ScalarNode, start: int, end: int) -> Span:
    """The span of `value[start:end]` inside a scalar, when source columns map 1:1 onto the
    value (plain, or quoted without escapes, on one line); else the whole scalar."""
    span = node.span
    width = span.end.column - span.start.column
    quoted = node.style in ("'", '"') and width == len(node.value) + 2
    exact = span.is_single_line and ((node.style == "" and width == len(node.value)) or quoted)
    if not exact:
        return span
    column = span.start.column + (1 if quoted else 0)
    end = max(end, start + 1) if len(node.value) > start else start
    return Span.of(span.file, span.start.line, column + start, span.start.line, column + end)
