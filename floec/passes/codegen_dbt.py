"""Pass `codegen-dbt`: `dbt/profiles.yml`, the connection dbt runs the pipeline's transforms on."""

from __future__ import annotations

from collections.abc import Mapping

from floec import __version__
from floec.codegen.dbt import Problem, render_profiles, render_target, required_variables
from floec.diagnostics.model import Diagnostic, Severity, make
from floec.frozen import frozen
from floec.ir import Environment, GeneratedFile, LoweredPipeline, PassResult
from floec.span import Span

PROFILES_FILE = "dbt/profiles.yml"


@frozen
class DbtProject:
    """A dbt project a transform names, as the driver found it on disk."""

    path: str  # the transform's `path` as written in floe.yaml
    file: str  # its dbt_project.yml, for messages
    text: str | None  # the text of dbt_project.yml; None when it could not be read
    target: str  # the transform's `target`, else the environment's name
    span: Span | None  # the transform's `path` in floe.yaml


@frozen
class DbtContext:
    lowered: LoweredPipeline
    projects: tuple[DbtProject, ...]  # one per dbt transform, in floe.yaml order
    platform_path: str  # platform.yaml, relative to the workspace root (for the header)
    to_root: str  # the workspace root relative to the directory of profiles.yml, '/'-separated


def fallback_warning(project: DbtProject, pipeline: str, file: str, why: str) -> Diagnostic:
    """FLC503: the dbt profile is named after the pipeline, and why (`floec check` says it too)."""
    return make(
        "FLC503",
        f"{why}; the dbt profile is named after the pipeline, '{pipeline}'",
        project.span,
        file=file,
        help="give the dbt project a `profile:` (or fix `path`) so that dbt finds the generated "
        "profile",
    )


def profile_name(project: DbtProject, pipeline: str) -> tuple[str, str | None]:
    """The `profile:` of the project's dbt_project.yml, else the pipeline's name, and why not.

    >>> text = "name: x\\nprofile: shop\\n"
    >>> project = DbtProject("dbt", "dbt/dbt_project.yml", text, "dev", None)
    >>> profile_name(project, "orders")
    ('shop', None)
    >>> import attrs
    >>> profile_name(attrs.evolve(project, text=None), "orders")[0]
    'orders'
    """
    if project.text is None:
        return pipeline, f"{project.file} does not exist or cannot be read"
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        document = yaml.load(project.text, Loader=loader)
    except yaml.YAMLError as error:
        reason = str(error).splitlines()[0] if str(error) else "it is not valid YAML"
        return pipeline, f"{project.file} is not valid YAML ({reason})"
    profile = document.get("profile") if isinstance(document, Mapping) else None
    if not isinstance(profile, str) or not profile.strip():
        return pipeline, f"{project.file} has no `profile:`"
    if "{{" in profile or "{%" in profile:
        return pipeline, f"{project.file} computes its `profile:` with Jinja"
    return profile, None


def codegen_dbt(ctx: DbtContext) -> PassResult:
    """Render `dbt/profiles.yml` for the environment.

    Reads: the lowered compute profile the pipeline uses, for each dbt transform the text of its
    dbt_project.yml (the driver reads the files; this pass takes text), and where the workspace
    root is from the directory profiles.yml is written to.
    Writes: one `GeneratedFile`, `dbt/profiles.yml`: per dbt profile name (the project's
    `profile:`, else the pipeline's name), one target named after the environment (or the
    transform's `target`), rendered by the compute type's generator (floec/codegen/dbt.py).
    Secrets appear only as `{{ env_var('NAME') }}`; relative paths are anchored at the directory
    of profiles.yml (`{{ flags.PROFILES_DIR }}`); keys are sorted and the bytes depend only on
    the inputs and on where the file is written relative to the workspace root.
    Reports: FLC501 (error) for what the dbt adapter cannot express, FLC502 (warning) for a
    setting left out, FLC503 (warning) when the profile name falls back to the pipeline's name.

    >>> from floec.driver import example_environment, example_pipeline
    >>> from floec.ir import BoundPipeline
    >>> lowered = LoweredPipeline(
    ...     BoundPipeline(example_pipeline(), example_environment(), ()),
    ...     {"compute": {"name": "default", "type": "duckdb", "credentials": None}}, {}, ())
    >>> result = codegen_dbt(DbtContext(lowered, (), "example.yaml", ""))
    >>> print(result.value[0].data.decode().split("\\n", 2)[2], end="")
    example:
      target: example
      outputs:
        example:
          type: duckdb
          external_root: "{{ flags.PROFILES_DIR }}/../dbt-external"
          plugins:
          - module: floec.runtime.dbt_iceberg
            alias: floe
            config:
              artifacts: "{{ flags.PROFILES_DIR }}/../compiled_artifacts.json"
    """
    lowered = ctx.lowered
    pipeline = lowered.bound.pipeline
    environment = lowered.bound.environment
    compute = lowered.profiles.get("compute")
    if compute is None:  # bind-profiles reported the unknown profile already
        return PassResult((), ())
    platform_file = environment.source.name
    diagnostics: list[Diagnostic] = []
    profiles: dict[str, tuple[str, dict[str, Mapping[str, object]]]] = {}
    # Every project reads the same file, so one rendering serves all of them.
    rendered = render_target(compute, to_root=ctx.to_root)
    compute_name = str(compute.get("name"))
    for problem in rendered.problems:
        diagnostics.append(_problem(problem, environment, compute_name, platform_file))
    projects: tuple[DbtProject | None, ...] = ctx.projects or (None,)
    for project in projects:
        if project is None:
            name, why, target_name = pipeline.name, None, environment.name
        else:
            name, why = profile_name(project, pipeline.name)
            target_name = project.target
        if project is not None and why is not None:
            diagnostics.append(fallback_warning(project, pipeline.name, pipeline.span.file, why))
        _, outputs = profiles.setdefault(name, (target_name, {}))
        outputs[target_name] = rendered.output
    if any(d.severity is Severity.ERROR for d in diagnostics):
        return PassResult(None, tuple(diagnostics))
    variables = sorted(required_variables({n: o for n, (_, o) in profiles.items()}))
    header = [
        f"Generated by floec {__version__} from {ctx.platform_path} (environment "
        f"{environment.name}); do not edit.",
        "Use with dbt --profiles-dir; relative paths are relative to this file's directory.",
    ]
    if variables:
        header.append("Needs the environment variables: " + ", ".join(variables))
    data = render_profiles(profiles, "\n".join(header))
    return PassResult((GeneratedFile(PROFILES_FILE, data),), tuple(diagnostics))


def _problem(problem: Problem, environment: Environment, compute: str, file: str) -> Diagnostic:
    span = None
    keys = list(problem.keys)
    while span is None and keys:
        span = environment.span_at("compute", compute, *keys)
        keys.pop()
    if span is None:
        span = environment.span_at("compute", compute)
    code = "FLC501" if problem.level == "error" else "FLC502"
    message = f"compute profile '{compute}': {problem.message}"
    return make(code, message, span, file=file, help=problem.help)
