"""The pass manager: the named passes in order, and building one pipeline for one environment.

Each pass is a module in `floec.passes` with one public function that takes its own frozen
context and returns a `PassResult` (its IR and its diagnostics). The driver holds them in one
ordered tuple, `PASSES`; a `Step` only builds the pass's context from the build state and stores
what the pass returned. Adding a pass is adding a module and one line in `PASSES`.

`floec build --emit STAGE` prints the IR after a stage (`ast` before the passes, `bound` after
bind-profiles, `lowered` after lower-secrets) and stops there; `--stop-after PASS` stops after
the named pass. A pass that reports an error stops the build: nothing is written.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from floec.ast.nodes import FloeSpec, PlatformSpec
from floec.diagnostics.model import Diagnostic, Severity
from floec.environments import FALLBACK_SOURCE
from floec.ir import (
    PROFILE_FIELDS,
    BoundPipeline,
    BoundProfile,
    Environment,
    GeneratedFile,
    LoweredPipeline,
    PassResult,
    SecretUse,
)
from floec.source import SourceFile

if TYPE_CHECKING:
    from floec.passes.codegen_dbt import DbtProject


@attrs.frozen
class State:
    """Everything a build knows so far; each step returns a new one."""

    pipeline: FloeSpec
    pipeline_source: SourceFile
    project: Path  # the directory of floe.yaml
    environment: Environment
    source_date_epoch: int | None = None
    # Where this environment's files are written (target/<env>/); generated files that refer to
    # workspace files (dbt's profiles.yml) locate them from there.
    output_dir: Path = Path("target/default")
    bound: BoundPipeline | None = None
    lowered: LoweredPipeline | None = None
    outputs: tuple[GeneratedFile, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    linted: bool = False

    @property
    def failed(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)


@attrs.frozen
class Step:
    name: str
    run: Callable[[State], State]
    stage: str | None = None  # the --emit stage whose IR exists once this pass has run


def _bind(state: State) -> State:
    from floec.passes.bind_profiles import BindContext, bind_profiles

    result = bind_profiles(BindContext(state.pipeline, state.environment))
    assert isinstance(result.value, BoundPipeline)
    return attrs.evolve(
        state, bound=result.value, diagnostics=state.diagnostics + result.diagnostics
    )


def _check(state: State) -> State:
    from floec.passes.check_credentials import CredentialsContext, check_credentials

    assert state.bound is not None
    result = check_credentials(CredentialsContext(state.environment, state.bound.profiles))
    return attrs.evolve(state, diagnostics=state.diagnostics + result.diagnostics)


def _lint(state: State) -> State:
    """`lint-credentials` (floec/passes/lint_credentials.py, `floec lint`'s pass) over both input
    files' text: every hardcoded credential is an error of the build."""
    sources = (state.pipeline_source, state.environment.source)
    found = lint_sources((s for s in sources if s.name != FALLBACK_SOURCE), state.diagnostics)
    return attrs.evolve(state, diagnostics=state.diagnostics + tuple(found), linted=True)


def lint_sources(
    sources: Iterable[SourceFile], reported: Iterable[Diagnostic] = ()
) -> list[Diagnostic]:
    """The credential lint of `check` and `build`: a finding that `floec lint` reports as an
    error is an error here too, in either file. A value that a security check already reported
    (check-credentials' "use secret_ref") is not reported twice."""
    from floec.passes.lint_credentials import lint_credentials

    covered = [d.span for d in reported if d.span is not None and d.code.startswith("FLC2")]
    found: list[Diagnostic] = []
    for source in sources:
        for diagnostic in lint_credentials(source):
            span = diagnostic.span
            if span is not None and any(c.contains(span) for c in covered):
                continue
            found.append(diagnostic)
    return found


def _lower(state: State) -> State:
    from floec.passes.lower_secrets import LowerContext, lower_secrets

    assert state.bound is not None
    result = lower_secrets(LowerContext(state.bound))
    assert isinstance(result.value, LoweredPipeline)
    return attrs.evolve(
        state, lowered=result.value, diagnostics=state.diagnostics + result.diagnostics
    )


def _with_files(state: State, result: PassResult) -> State:
    """A code generator's files and diagnostics, added to the build state."""
    files = result.value if isinstance(result.value, tuple) else ()
    return attrs.evolve(
        state, outputs=state.outputs + files, diagnostics=state.diagnostics + result.diagnostics
    )


def _codegen_artifacts(state: State) -> State:
    from floec.passes.codegen_artifacts import ArtifactsContext, codegen_artifacts

    assert state.lowered is not None
    context = ArtifactsContext(
        lowered=state.lowered,
        pipeline_path=project_relative(state.project, state.pipeline_source.name),
        pipeline_directory=_posix_relpath(
            Path(os.path.abspath(state.project)), workspace_root(state.environment, state.project)
        )
        or ".",
        pipeline_sha256=sha256_text(state.pipeline_source),
        platform_path=project_relative(state.project, state.environment.path),
        source_date_epoch=state.source_date_epoch,
    )
    result = codegen_artifacts(context)
    return _with_files(state, result)


def _codegen_dagster(state: State) -> State:
    from floec.passes.codegen_dagster import DagsterContext, codegen_dagster

    assert state.lowered is not None
    result = codegen_dagster(DagsterContext(state.lowered))
    return _with_files(state, result)


def workspace_root(environment: Environment, project: Path | None = None) -> Path:
    """The directory relative paths in platform.yaml are relative to (docs/platform-config.md):
    the one holding `platform/` for `platform/<env>/platform.yaml`, else the platform file's own
    directory; the working directory for the FLOE_* fallback, which has no file. A platform from
    a registry (`oci://...`) has no directory either: the project's, as if it were local."""
    if environment.path == FALLBACK_SOURCE:
        return Path.cwd()
    if "://" in environment.path and project is not None:
        return _project_workspace(Path(os.path.abspath(project)))
    file = Path(os.path.abspath(environment.path))
    if file.parent.parent.name == "platform":
        return file.parent.parent.parent
    return file.parent


def _project_workspace(project: Path) -> Path:
    """The nearest directory at or above the project holding `platform/`, else the project."""
    for directory in (project, *project.parents):
        if (directory / "platform").is_dir():
            return directory
    return project


def _posix_relpath(path: Path, start: Path) -> str:
    relative = Path(os.path.relpath(path, start)).as_posix()
    return "" if relative == "." else relative


def dbt_projects(project: Path, pipeline: FloeSpec, environment: str) -> list[DbtProject]:
    """The dbt projects the pipeline's transforms name, read through the one input reader."""
    from floec.passes.codegen_dbt import DbtProject
    from floec.source import read_bytes

    projects = []
    for transform in pipeline.transforms:
        if transform.type != "dbt":
            continue
        file = Path(os.path.abspath(project / transform.path)) / "dbt_project.yml"
        data = read_bytes(str(file))
        text: str | None = None
        if isinstance(data, bytes):
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = None
        projects.append(
            DbtProject(
                path=transform.path,
                file=project_relative(project, str(file)),
                text=text,
                target=transform.target or environment,
                span=transform.field_spans.get("path", transform.span),
            )
        )
    return projects


def _codegen_dbt(state: State) -> State:
    from floec.passes.codegen_dbt import PROFILES_FILE, DbtContext, codegen_dbt

    assert state.lowered is not None
    environment = state.environment
    root = workspace_root(environment, state.project)
    projects = dbt_projects(state.project, state.pipeline, environment.name)
    platform_path = environment.path
    if platform_path != FALLBACK_SOURCE and "://" not in platform_path:
        platform_path = _posix_relpath(Path(os.path.abspath(platform_path)), root)
    profiles_dir = Path(os.path.abspath(state.output_dir / PROFILES_FILE)).parent
    context = DbtContext(
        lowered=state.lowered,
        projects=tuple(projects),
        platform_path=platform_path,
        to_root=_posix_relpath(root, profiles_dir),
    )
    result = codegen_dbt(context)
    return _with_files(state, result)


def _check_outputs(state: State) -> State:
    from floec.passes.check_outputs import OutputsContext, check_outputs

    sources = (state.pipeline_source, state.environment.source)
    result = check_outputs(
        OutputsContext(tuple(s for s in sources if s.name != FALLBACK_SOURCE), state.outputs)
    )
    return attrs.evolve(state, diagnostics=state.diagnostics + result.diagnostics)


# The passes, in order (DESIGN §2).
PASSES: tuple[Step, ...] = (
    Step("bind-profiles", _bind, stage="bound"),
    Step("check-credentials", _check),
    Step("lint-credentials", _lint),
    Step("lower-secrets", _lower, stage="lowered"),
    Step("codegen-artifacts", _codegen_artifacts),
    Step("codegen-dbt", _codegen_dbt),
    Step("codegen-dagster", _codegen_dagster),
    Step("check-outputs", _check_outputs),
)
PASS_NAMES = tuple(step.name for step in PASSES)
STAGES = ("ast", "bound", "lowered")


def run_passes(state: State, *, stop_after: str | None = None) -> State:
    """Run the passes in order; stop after `stop_after`, or after a pass that reports an error."""
    for step in PASSES:
        state = step.run(state)
        if state.failed or step.name == stop_after:
            break
    return state


def stop_for_stage(stage: str) -> str | None:
    """The last pass to run for `--emit STAGE` (None: no pass, `ast`)."""
    return next((step.name for step in PASSES if step.stage == stage), None)


def stage_ir(state: State, stage: str) -> object:
    if stage == "ast":
        return {"pipeline": state.pipeline, "platform": state.environment.platform}
    if stage == "bound":
        return state.bound
    lowered = state.lowered
    if lowered is None:
        return None
    return {
        "environment": state.environment,
        "profiles": lowered.profiles,
        "observability": lowered.observability,
        "secrets": lowered.secrets,
    }


# -- helpers ------------------------------------------------------------------------------------


def sha256_text(source: SourceFile) -> str:
    """SHA-256 of the file's bytes as read (falls back to the decoded text)."""
    from floec.source import read_bytes

    data = read_bytes(source.name)
    if isinstance(data, Diagnostic):
        return hashlib.sha256(source.text.encode()).hexdigest()
    return hashlib.sha256(data).hexdigest()


def project_relative(project: Path, path: str) -> str:
    """`path` relative to the project directory, with '/' separators: the same on every machine
    and from every working directory."""
    if path == FALLBACK_SOURCE or "://" in path:
        return path
    try:
        relative = os.path.relpath(os.path.abspath(path), os.path.abspath(project))
    except ValueError:
        return Path(path).as_posix()
    return Path(relative).as_posix()


def all_profiles(environment: Environment) -> tuple[BoundProfile, ...]:
    """Every profile of a platform, as if each were bound (for checks without a pipeline)."""
    platform = environment.platform
    return tuple(
        BoundProfile("", kind, name, profile)
        for _, kind in PROFILE_FIELDS
        for name, profile in sorted(getattr(platform, kind).items())
    )


# -- examples for doctests ------------------------------------------------------------------------

_EXAMPLE_PLATFORM = """version: 1.0.0
storage:
  default: {type: local, path: target/warehouse}
catalogs:
  default: {type: sql, uri: "sqlite:///target/catalog.db"}
compute:
  default: {type: duckdb}
"""


def example_environment(text: str = _EXAMPLE_PLATFORM) -> Environment:
    """A small environment named `example`, read from `text` (for doctests and unit tests)."""
    from floec.environments import Choice, load

    source = SourceFile("example.yaml", text)
    from floec.frontend import check_source

    checked = check_source(source, "platform")
    assert isinstance(checked.spec, PlatformSpec), [d.message for d in checked.diagnostics]
    loaded = load(Choice("example", None, "test"), {})
    assert loaded.environment is not None
    return attrs.evolve(
        loaded.environment,
        platform=checked.spec,
        source=source,
        path="example.yaml",
        tree=checked.tree,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
    )


def example_pipeline(**fields: str) -> FloeSpec:
    """A pipeline named `example` with the given profile names (for doctests and unit tests)."""
    from floec.frontend import check_source

    lines = ["name: example", "version: 1.0.0", *(f"{k}: {v}" for k, v in fields.items())]
    checked = check_source(SourceFile("floe.yaml", "\n".join(lines) + "\n"), "floe")
    assert isinstance(checked.spec, FloeSpec)
    return checked.spec


# -- projects and environments ----------------------------------------------------------------


@attrs.frozen
class Project:
    """A pipeline read by the front end: its floe.yaml, directory and AST."""

    directory: Path
    source: SourceFile
    pipeline: FloeSpec


@attrs.frozen
class Opened:
    project: Project | None
    diagnostics: tuple[Diagnostic, ...]
    sources: tuple[SourceFile, ...]


def open_project(path: str) -> Opened:
    """Read the floe.yaml that `path` names (a file, or a directory holding one)."""
    from floec.diagnostics.model import make
    from floec.discover import FLOE_NAMES
    from floec.frontend import check_file
    from floec.source import display_name

    target = Path(path)
    if target.is_dir():
        found = [target / name for name in FLOE_NAMES if _present(target / name)]
        if not found:
            return Opened(
                None,
                (
                    make(
                        "FLC306",
                        f"{display_name(path)} holds no floe.yaml",
                        None,
                        file=display_name(path),
                        help="pass a project directory or its floe.yaml",
                    ),
                ),
                (),
            )
        target = found[0]
    checked = check_file(str(target), "floe")
    sources = (checked.source,) if checked.source is not None else ()
    if not isinstance(checked.spec, FloeSpec) or checked.source is None:
        return Opened(None, checked.diagnostics, sources)
    project = Project(target.parent, checked.source, checked.spec)
    return Opened(project, checked.diagnostics, sources)


def _present(path: Path) -> bool:
    """A file is there (a pipe too: reading it is what reports it, instead of skipping it)."""
    return path.exists() and not path.is_dir()


@attrs.frozen
class Built:
    """One environment's build: the final state (None if the environment did not load)."""

    name: str
    origin: str
    state: State | None
    diagnostics: tuple[Diagnostic, ...]
    sources: tuple[SourceFile, ...]

    @property
    def failed(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)


def build_environment(
    project: Project,
    choice: object,
    environ: dict[str, str],
    *,
    stop_after: str | None = None,
    run: bool = True,
    target_dir: str | Path = "target",
) -> Built:
    """Load the chosen environment and run the passes (`run=False`: load only, for `--emit ast`)."""
    from floec.environments import Choice, load

    assert isinstance(choice, Choice)
    loaded = load(choice, environ, project.source.name)
    if loaded.environment is None:
        return Built(choice.name, choice.origin, None, loaded.diagnostics, loaded.sources)
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    state = State(
        pipeline=project.pipeline,
        pipeline_source=project.source,
        project=project.directory,
        environment=loaded.environment,
        source_date_epoch=int(epoch) if epoch.isdigit() else None,
        output_dir=Path(target_dir) / choice.name,
        diagnostics=loaded.diagnostics,
    )
    if run and not state.failed:
        state = run_passes(state, stop_after=stop_after)
    if stop_after is not None and stop_after.startswith("codegen-") and not state.failed:
        state = _check_outputs(state)  # files that may be written are checked all the same
    if not state.linted:
        # `--emit` and `--stop-after` print what the passes built: the lint still decides
        # whether a credential would be printed with it.
        state = _lint(state)
    return Built(choice.name, choice.origin, state, state.diagnostics, loaded.sources)


@attrs.frozen
class Deployment:
    """An environment, optionally with the pipeline deployed to it, and the secrets it needs
    (for `floec platform list-profiles`, `floec secrets list|check`)."""

    project: Project | None
    environment: Environment | None
    secrets: tuple[SecretUse, ...]
    diagnostics: tuple[Diagnostic, ...]
    sources: tuple[SourceFile, ...]


def open_deployment(
    path: str, *, env: str | None, platform: str | None, environ: dict[str, str]
) -> Deployment:
    """The environment chosen for `path` (a pipeline, or any directory) and its secrets: the
    pipeline's when `path` holds a floe.yaml, else those of every profile of the platform."""
    from floec.discover import FLOE_NAMES
    from floec.environments import Choice, choose, load
    from floec.passes.lower_secrets import LowerContext, lower_secrets

    directory = Path(path) if Path(path).is_dir() else Path(path).parent
    project = None
    diagnostics: list[Diagnostic] = []
    sources: list[SourceFile] = []
    if not Path(path).is_dir() or any((directory / n).is_file() for n in FLOE_NAMES):
        opened = open_project(path)
        diagnostics += opened.diagnostics
        sources += opened.sources
        if opened.project is None:
            return Deployment(None, None, (), tuple(diagnostics), tuple(sources))
        project = opened.project
    pipeline = project.pipeline if project is not None else None
    file = project.source.name if project is not None else None
    choice: Choice | Diagnostic | None = None
    if str(platform).startswith("oci://") or (
        pipeline is not None and pipeline.platform is not None and pipeline.platform.registry
    ):
        from floec.oci.platforms import choose as choose_published

        choice = choose_published(
            directory, pipeline, file, env=env, platform=platform, environ=environ
        )
    if choice is None:
        choice = choose(directory, pipeline, env=env, platform=platform, environ=environ, file=file)
    if isinstance(choice, Diagnostic):
        return Deployment(project, None, (), (*diagnostics, choice), tuple(sources))
    loaded = load(choice, environ, file)
    diagnostics += loaded.diagnostics
    sources += loaded.sources
    environment = loaded.environment
    if environment is None:
        return Deployment(project, None, (), tuple(diagnostics), tuple(sources))
    if project is not None:
        built = build_environment(project, choice, environ, stop_after="lower-secrets")
        diagnostics = list(opened.diagnostics) + list(built.diagnostics)
        lowered = built.state.lowered if built.state is not None else None
        secrets = lowered.secrets if lowered is not None else ()
        return Deployment(project, environment, secrets, tuple(diagnostics), tuple(sources))
    from floec.ast.nodes import FloeSpec as _Spec
    from floec.span import Span

    placeholder = _Spec("platform", "0.0.0", Span.whole_file(environment.source.name), {})
    profiles = tuple(attrs.evolve(p, field=f"{p.kind}.{p.name}") for p in all_profiles(environment))
    bound = BoundPipeline(placeholder, environment, profiles)
    result = lower_secrets(LowerContext(bound))
    diagnostics += result.diagnostics
    assert isinstance(result.value, LoweredPipeline)
    return Deployment(None, environment, result.value.secrets, tuple(diagnostics), tuple(sources))


def _dbt_warnings(pipeline: FloeSpec, directory: Path) -> list[Diagnostic]:
    """What codegen-dbt warns about the dbt projects themselves, so that `check` says it too."""
    from floec.passes.codegen_dbt import fallback_warning, profile_name

    out = []
    for project in dbt_projects(directory, pipeline, "check"):
        _, why = profile_name(project, pipeline.name)
        if why is not None:
            out.append(fallback_warning(project, pipeline.name, pipeline.span.file, why))
    return out


def check_environments(
    checked: Iterable[object],
    path_of: Callable[[str], str] = os.path.abspath,
    *,
    lint: bool = True,
) -> list[Diagnostic]:
    """`floec check`'s binding and credential diagnostics: every platform.yaml's credentials,
    and every floe.yaml bound against every platform.yaml checked with it (named by its
    directory, `platform/<env>/platform.yaml`). `path_of` turns a file's display name into its
    path (the editor's names are relative to its workspace folder, not the working directory).
    `lint=False` leaves out the credential lint of the files, for a caller that has linted them
    already (the workspace lints each file once, from the tree the front end built)."""
    from floec.environments import directory_problem
    from floec.frontend import Checked
    from floec.passes.bind_profiles import BindContext, bind_profiles
    from floec.passes.check_credentials import CredentialsContext, check_credentials

    pipelines: list[FloeSpec] = []
    environments: list[Environment] = []
    out: list[Diagnostic] = []
    for item in checked:
        if not isinstance(item, Checked) or item.source is None:
            continue
        if isinstance(item.spec, FloeSpec):
            pipelines.append(item.spec)
            out += _dbt_warnings(item.spec, Path(path_of(item.source.name)).parent)
        elif isinstance(item.spec, PlatformSpec):
            directory = Path(item.source.name).parent
            name = directory.name or "default"
            if directory.parent.name == "platform":  # platform/<env>/: the name must be valid
                problem = directory_problem(name, directory)
                if problem is not None:
                    out.append(problem)
            digest = hashlib.sha256(item.source.text.encode()).hexdigest()
            environments.append(
                Environment(
                    name, item.spec, item.source, item.source.name, "check", digest, item.tree
                )
            )
    for environment in environments:
        context = CredentialsContext(environment, all_profiles(environment))
        out += check_credentials(context).diagnostics
        for pipeline in pipelines:
            out += bind_profiles(BindContext(pipeline, environment)).diagnostics
    if not lint:
        return out
    reported = [d for item in checked if isinstance(item, Checked) for d in item.diagnostics]
    out += lint_sources(
        (item.source for item in checked if isinstance(item, Checked) and item.source is not None),
        [*reported, *out],
    )
    return out
