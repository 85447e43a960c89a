"""Pass `bind-profiles`: resolve floe.yaml's profile names against one environment."""

from __future__ import annotations

from floec.ast.nodes import FloeSpec
from floec.diagnostics.model import Diagnostic, Related, make
from floec.frozen import frozen
from floec.ir import PROFILE_FIELDS, BoundPipeline, BoundProfile, Environment, PassResult
from floec.span import Span


@frozen
class BindContext:
    pipeline: FloeSpec
    environment: Environment


def bind_profiles(ctx: BindContext) -> PassResult:
    """Resolve `catalog`, `storage` and `compute` (each `default` when absent) of a pipeline
    against the environment's `catalogs`, `storage` and `compute` maps.

    Reads: the pipeline's profile names and the environment's profile maps.
    Writes: a `BoundPipeline` holding every profile that resolved (always produced, so that
    `--all-envs` can show which references resolve where).
    Reports: FLC301 for each name the environment does not define; its primary span is the value
    in floe.yaml (the start of floe.yaml when the name is the implicit `default`), its related
    span the profile map in platform.yaml; the message names the environment, the missing name,
    the names available and the nearest one.

    >>> from floec.driver import example_environment, example_pipeline
    >>> result = bind_profiles(BindContext(example_pipeline(catalog="analytics"),
    ...                                    example_environment()))
    >>> print(result.diagnostics[0].message)  # doctest: +NORMALIZE_WHITESPACE
    profile 'analytics' is not defined in catalogs of environment 'example' (example.yaml);
    available: default
    """
    pipeline, environment = ctx.pipeline, ctx.environment
    platform = environment.platform
    bound: list[BoundProfile] = []
    diagnostics: list[Diagnostic] = []
    for field, kind in PROFILE_FIELDS:
        name: str = getattr(pipeline, field)
        profiles = getattr(platform, kind)
        if name in profiles:
            bound.append(BoundProfile(field, kind, name, profiles[name]))
            continue
        diagnostics.append(unknown_profile(pipeline, environment, field, kind, name))
    return PassResult(BoundPipeline(pipeline, environment, tuple(bound)), tuple(diagnostics))


def unknown_profile(
    pipeline: FloeSpec, environment: Environment, field: str, kind: str, name: str
) -> Diagnostic:
    available = sorted(getattr(environment.platform, kind))
    import difflib  # only to suggest a name: not on every start

    nearest = difflib.get_close_matches(name, available, n=1, cutoff=0.5)
    explicit = field in pipeline.field_spans
    span = pipeline.field_spans.get(field) or Span.point(pipeline.span.file, 0, 0)
    listing = ", ".join(available) if available else f"none (the file has no `{kind}`)"
    message = (
        f"profile '{name}' is not defined in {kind} of environment '{environment.name}' "
        f"({environment.source.name}); available: {listing}"
    )
    if nearest:
        message += f"; did you mean '{nearest[0]}'?"
    platform = environment.platform
    related_span = (
        environment.key_span(kind)
        or platform.field_spans.get(kind)
        or Span.point(platform.span.file, 0, 0)
    )
    related = Related(related_span, f"the {kind} of environment '{environment.name}'")
    notes: tuple[str, ...] = ()
    if not explicit:
        notes = (f"floe.yaml has no `{field}:`, so it uses the profile named 'default'",)
    if nearest:
        fix = f"write `{field}: {nearest[0]}` in floe.yaml"
    else:
        fix = f"define {kind}.{name} in {environment.source.name}" + (
            f", or use one of: {', '.join(available)}" if available else ""
        )
    return make("FLC301", message, span, help=fix, notes=notes, related=(related,))
