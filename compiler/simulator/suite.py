"""Runs scenario files: compiles the workflows they name, plays each scenario, checks its
expectations and gathers coverage. The `bpl test` command and the tests use this."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compiler.bitrix import Template
from compiler.catalog import Catalog, load_catalog
from compiler.codegen import CompiledTemplate
from compiler.pipeline import BuildResult, build
from compiler.semantics.environment import Environment, EnvValue
from compiler.simulator import classes, returns
from compiler.simulator.assertions import Failure, check
from compiler.simulator.coverage import WorkflowCoverage, points
from compiler.simulator.directory import Directory
from compiler.simulator.driver import play
from compiler.simulator.model import SimulationError
from compiler.simulator.run import Run, Runtime
from compiler.simulator.scenario import Scenario, ScenarioError, ScenarioFile, load


@dataclass
class Outcome:
    scenario: Scenario
    template: CompiledTemplate | None
    run: Run | None
    failures: list[Failure] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures and not self.problems and self.run is not None


@dataclass
class SuiteResult:
    outcomes: list[Outcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # files that could not be used
    coverage: dict[str, WorkflowCoverage] = field(default_factory=dict)
    templates: dict[str, CompiledTemplate] = field(default_factory=dict)
    builds: list[BuildResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.errors and all(o.passed for o in self.outcomes)


class Suite:
    def __init__(self, env: Environment | None = None,
                 overrides: Mapping[str, EnvValue] | None = None,
                 project_sources: list[Path] | None = None, catalog: Catalog | None = None,
                 name_filter: str | None = None):
        self.env = env or Environment("(test)", {}, symbolic=False)
        self.overrides = dict(overrides or {})  # --define: wins over the scenario's [env]
        self.project_sources = project_sources
        self.catalog = catalog or load_catalog()
        self.name_filter = name_filter
        self.result = SuiteResult()
        self._builds: dict[tuple[Any, ...], BuildResult] = {}

    def run_files(self, files: list[Path]) -> SuiteResult:
        for path in files:
            self.run_file(path)
        return self.result

    def run_file(self, path: Path) -> None:
        try:
            scenario_file = load(path, self.project_sources)
        except ScenarioError as error:
            self.result.errors.append(str(error))
            return
        built = self._build(scenario_file)
        if built is None:
            return
        by_name = {t.workflow: t for t in built.templates}
        typed: dict[str, Template] = {}
        for scenario in scenario_file.scenarios:
            if self.name_filter and self.name_filter.lower() not in scenario.label.lower():
                continue
            template = by_name.get(scenario.workflow)
            if template is None:
                known = ", ".join(sorted(by_name)) or "none"
                self.result.outcomes.append(Outcome(scenario, None, None, problems=[
                    f"no workflow '{scenario.workflow}' in {_names(scenario_file.sources)} "
                    f"(compiled: {known})"]))
                continue
            self.result.templates[template.workflow] = template
            if template.workflow not in typed:
                typed[template.workflow] = _typed(template)
            data = typed[template.workflow]
            if template.workflow not in self.result.coverage:
                self.result.coverage[template.workflow] = points(data, template.workflow)
            coverage = self.result.coverage[template.workflow]
            outcome = self.run_scenario(scenario, scenario_file, template, data)
            if outcome.run is not None:
                coverage.add_run((entry.name for entry in outcome.run.trace),
                                 (entry["activity"] for entry in outcome.run.log
                                  if entry.get("note")))
            self.result.outcomes.append(outcome)

    def _build(self, scenario_file: ScenarioFile) -> BuildResult | None:
        values = {**self.env.values, **scenario_file.env, **self.overrides}
        key = (tuple(str(s) for s in scenario_file.sources), tuple(sorted(
            (k, str(v)) for k, v in values.items())))
        built = self._builds.get(key)
        if built is None:
            env = Environment(self.env.name, values, symbolic=False)
            built = build(scenario_file.sources, env, catalog=self.catalog)
            self._builds[key] = built
            self.result.builds.append(built)
        if not built.ok:
            errors = [d for d in built.diagnostics.sorted() if d.severity.name == "ERROR"]
            shown = "; ".join(f"{d.span.file}:{d.span.line}: {d.message}" for d in errors[:5])
            self.result.errors.append(
                f"{scenario_file.path}: the workflows do not compile: {shown}")
            return None
        return built

    def run_scenario(self, scenario: Scenario, scenario_file: ScenarioFile,
                     template: CompiledTemplate, typed: Template) -> Outcome:
        """One scenario on `template`; `typed` is the template data the simulator runs."""
        problems = script_problems(scenario, typed)
        if problems:
            return Outcome(scenario, template, None, problems=problems)
        runtime = Runtime(
            template=typed, document=scenario.document,
            parameters=scenario.parameters, clock=scenario.start, user=scenario.user,
            document_type=list(template.document_type),
            document_id=str(scenario.document.get("ID", "1")),
            field_types={**self._field_types(template), **scenario_file.types},
            directory=Directory.from_data(scenario_file.users, scenario_file.groups),
            global_variables=scenario.global_variables,
            global_constants=scenario.global_constants, constants=scenario.constants,
            modified_fields=scenario.modified, workflow_id=f"sim-{scenario.index + 1}",
            seed=scenario.seed, documents=scenario.documents,
            scripted=[{"activity": a.match, "returns": a.returns} for a in scenario.activities])
        try:
            run = runtime.start()
        except SimulationError as error:
            return Outcome(scenario, template, None, problems=[str(error)])
        played = play(run, scenario)
        failures = check(run, scenario.expect)
        if run.status == "error" and "status" not in scenario.expect and \
                "error" not in scenario.expect:
            failures.insert(0, Failure("status", "no error", f"error: {run.error}"))
        return Outcome(scenario, template, run, failures, played.problems)

    def _field_types(self, template: CompiledTemplate) -> dict[str, Any]:
        module, entity, kind = ([*template.document_type, "", "", ""])[:3]
        spec = self.catalog.document_by_type(module, entity, kind)
        if spec is None:
            return {}
        return {code: {"Type": f.type, "Multiple": "1" if f.multiple else "0",
                       "Options": f.options or ""} for code, f in spec.fields.items()}


def script_problems(scenario: Scenario, template: Template) -> list[str]:
    """What is wrong with the scenario's `[[scenario.activities]]` for this workflow: a
    pattern no activity has, a result the activity's type does not declare, a value of the
    wrong type."""
    problems: list[str] = []
    nodes = list(template.walk())
    for script in scenario.activities:
        matched = {n.type.lower(): n for n in nodes
                   if returns.matches(script.match, n.title, n.name, n.type)}
        if not matched:
            problems.append(f"{script.where}: no activity of workflow '{scenario.workflow}' "
                            f"has the title, Name or type {script.match!r}")
        for node in matched.values():
            problems.extend(_returns_problems(script.where, node.type, node.title,
                                              script.returns))
    return list(dict.fromkeys(problems))


def _returns_problems(where: str, type_name: str, title: str,
                      values: Mapping[str, Any]) -> list[str]:
    found = classes.spec(type_name)
    problems = []
    for key, value in values.items():
        declared = returns.return_spec(type_name, key)
        if declared is None:
            if not returns.open_keys(type_name) and found is not None:
                known = ", ".join(found.returns) or "nothing"
                problems.append(f"{where}: {type_name} '{title}' returns no {key!r} (it "
                                f"returns {known})")
            continue
        why = returns.misfit(declared, value)
        if why is not None:
            shape = declared.type + ("[]" if declared.multiple else "")
            problems.append(f"{where}: returns.{key}: {why} ({type_name} returns {key} as "
                            f"{shape})")
    return problems


def _typed(compiled: CompiledTemplate) -> Template:
    """The compiled template as the simulator reads it: codegen's own Template."""
    return compiled.template


def _names(paths: list[Path]) -> str:
    return ", ".join(str(p) for p in paths)
