"""`bpl docs`: a static documentation site of a project's workflows (no JavaScript needed)."""

from compiler.site.build import NO_GRAPHVIZ, Site, build_site
from compiler.site.pages import CoverageError, Page, read_coverage, scenario_names

__all__ = ["NO_GRAPHVIZ", "CoverageError", "Page", "Site", "build_site", "read_coverage",
           "scenario_names"]
