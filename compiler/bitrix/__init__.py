"""The Bitrix side of the pipeline: a workflow template as typed values (what a `.bpt` holds).

Codegen produces a `Template`; plan, import, the simulator and the sandbox consume it. Beside
it: `bpt` (a Template ⇄ `.bpt` bytes, and REST's TEMPLATE_DATA) and `canonical` (the one form
in which plan and the importer compare templates). They are imported as modules, so that this
package stays as light as the classes (canonical reads the catalog).
"""

from compiler.bitrix.template import Activity, Field, Template, TemplateShapeError

__all__ = ["Activity", "Field", "Template", "TemplateShapeError"]
