"""The offline pipeline in one call: load → parse → check → lower → Bitrix's import rules.

Library users and every CLI command go through `build`; it never raises on bad input, it
returns diagnostics.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING

from compiler.buildcache import Remembered
from compiler.catalog import Catalog, load_catalog
from compiler.catalog.rules import ADMIN, Importer, child_violations, property_violations
from compiler.codegen import CompiledTemplate, build_template
from compiler.codegen.robots import RobotRegistration, build_registration
from compiler.diagnostics import Diagnostics, Severity
from compiler.hosts import Resolve
from compiler.record import record
from compiler.semantics.checker import WorkflowChecker
from compiler.semantics.environment import Environment
from compiler.semantics.model import CheckedWorkflow
from compiler.semantics.program import Program, load_program
from compiler.semantics.robots import check_robots
from compiler.source import SourceFile
from compiler.syntax import ast

if TYPE_CHECKING:
    from compiler.buildcache import WorkflowMemo


@record(frozen=False, slots=False)
class BuildResult:
    program: Program
    diagnostics: Diagnostics
    templates: list[CompiledTemplate] = field(default_factory=list)
    robots: list[RobotRegistration] = field(default_factory=list)  # to register, by CODE
    # Every workflow as the checker bound it (what an editor's hover and go-to read); with a
    # memo, only those checked in this run.
    checked: list[CheckedWorkflow] = field(default_factory=list)
    # With a memo that keeps them: the .bpt bytes of workflows not checked again, by name.
    replayed: dict[str, bytes] = field(default_factory=dict)

    @property
    def sources(self) -> dict[str, SourceFile]:
        return self.program.sources

    @property
    def ok(self) -> bool:
        return not self.diagnostics.has_errors


def build(paths: list[Path], env: Environment | None = None, *, emit: bool = True,
          catalog: Catalog | None = None, sandbox: bool | None = None,
          resolve: Resolve | None = None,
          overlay: Mapping[Path, str] | None = None,
          memo: WorkflowMemo | None = None) -> BuildResult:
    """Check (and with `emit`, lower) every workflow, robot and action under `paths`.

    Templates are produced only for workflows without errors, so a caller may still use the
    good ones of a project with a broken file (check mode reports, compile refuses). A workflow
    calling a robot whose declaration has errors is not produced either. `sandbox` says whether
    the target is the embedded sandbox (True), a Bitrix24 portal (False) or unknown (None): a
    robot handler on this machine is reachable from the first only. `resolve` looks up the host
    names of robot handlers (compiler.hosts); without it the check stays offline. `overlay`
    holds texts that stand for files, by resolved path (an editor's unsaved documents).
    `memo` (compiler.buildcache, for the commands) holds workflows an earlier run checked:
    those whose inputs did not change are not checked again; it is given their results.
    """
    with _collector_paused():
        return _build(paths, env or Environment(), emit, catalog or load_catalog(), sandbox,
                      resolve, overlay, memo)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Compiling allocates a great many small objects that form no cycles; the cyclic
    collector's repeated passes over the growing heap would cost a third of the time on a
    large project. Reference counting still frees everything as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build(paths: list[Path], env: Environment, emit: bool, catalog: Catalog,
           sandbox: bool | None, resolve: Resolve | None,
           overlay: Mapping[Path, str] | None, memo: WorkflowMemo | None) -> BuildResult:
    diagnostics = Diagnostics()
    program = load_program(paths, diagnostics, overlay)
    result = BuildResult(program, diagnostics)
    # Errors inside strings (escapes, interpolations) and duplicate names still leave an AST;
    # the workflows of such a file were not read as written and must not be emitted.
    unsound = {d.span.file for d in diagnostics if d.severity is Severity.ERROR}
    broken = check_robots(program, catalog, env, diagnostics, sandbox=sandbox, resolve=resolve)
    if emit:
        result.robots = [build_registration(decl, env, catalog)
                         for code, decl in program.robots.items()
                         if code not in broken and decl.span.file not in unsound]
    shared = memo.shared(program.modules, program.sources) if memo else ""
    for workflow in program.workflows:
        key = memo.key(env, program.sources[workflow.span.file], workflow, shared) \
            if memo else ""
        known = memo.get(key) if memo else None
        if memo and known is not None and _replay(result, workflow, known, emit, unsound,
                                                  broken, memo.keep_bpt):
            memo.put(key, known)
            continue
        local = Diagnostics()
        checked = WorkflowChecker(program, workflow, catalog, env, local).check()
        result.checked.append(checked)
        checker_errors = local.has_errors
        lowered = emit and not checker_errors and workflow.span.file not in unsound \
            and not broken.intersection(checked.robot_types)
        template = None
        if lowered:
            template = build_template(checked)
            _import_rules(template, catalog, local)
            if not local.has_errors:
                result.templates.append(template)
        diagnostics.extend(local)
        if memo:
            bpt = template.bpt() if memo.keep_bpt and template and not local.has_errors \
                else None
            memo.put(key, Remembered(list(local), checker_errors, list(checked.robot_types),
                                     lowered, bpt, local.dropped))
    return result


def _replay(result: BuildResult, workflow: ast.Workflow, known: Remembered, emit: bool,
            unsound: set[str], broken: set[str], keep_bpt: bool) -> bool:
    """Give `result` what checking `workflow` gave before, when the decision to lower it is
    the one it was made under (else False: it is checked again)."""
    lowered = emit and not known.checker_errors and workflow.span.file not in unsound \
        and not broken.intersection(known.robots)
    passed = lowered and not any(d.severity is Severity.ERROR for d in known.diagnostics)
    if lowered != known.lowered or (passed and keep_bpt and known.bpt is None):
        return False
    result.diagnostics.extend(Diagnostics(items=list(known.diagnostics),
                                          dropped=known.dropped))
    if passed and known.bpt is not None:
        result.replayed[workflow.name] = known.bpt
    return True


def import_rule_diagnostics(templates: list[CompiledTemplate], importer: Importer,
                            catalog: Catalog | None = None) -> Diagnostics:
    """Bitrix's import rules for a given importing user (bpl plan, once the portal said who
    imports); compiling checks them for an administrator."""
    diagnostics = Diagnostics()
    for template in templates:
        _import_rules(template, catalog or load_catalog(), diagnostics, importer)
    return diagnostics


def _import_rules(template: CompiledTemplate, catalog: Catalog, diagnostics: Diagnostics,
                  importer: Importer = ADMIN) -> None:
    """Run Bitrix's ValidateProperties / ValidateChild on the output and point at the source."""
    # The rules read package arrays (compiler/catalog/rules.py): the tree as Bitrix stores it.
    roots = [root.to_php() for root in template.template.roots]
    found = [*property_violations(catalog, roots, None, importer),
             *child_violations(catalog, roots)]
    for violation in found:
        activity_type = str(violation.node.get("Type"))
        if catalog.activity(activity_type) is None:
            continue  # unknown and app types were reported (W302) or are checked by plan
        span = template.spans.get(str(violation.node.get("Name")), template.span)
        title = violation.node.get("Properties", {}).get("Title", activity_type)
        if violation.stage == "fatal":
            diagnostics.error("E300", f"{activity_type} '{title}': Bitrix's import fails with a "
                              f"PHP error ({violation.message})", span,
                              help="the portal answers 500 Internal server error and imports "
                                   "nothing; give the property a value of the expected shape")
        elif violation.stage == "properties":
            detail = f" ({violation.property})" if violation.property else ""
            diagnostics.error("E300", f"{activity_type} '{title}': {violation.message}{detail}",
                              span, help="Bitrix refuses to import a template with this error")
        else:
            diagnostics.error("E400", f"'{title}': {violation.message}", span,
                              help="Bitrix refuses to import a template with this structure")
