"""The Bitrix side of the pipeline: a workflow template as typed values (what a `.bpt` holds).

Codegen produces a `Template`; packing, plan, import, the simulator and the sandbox consume it.
"""

from compiler.bitrix.template import Activity, Field, Template, TemplateShapeError

__all__ = ["Activity", "Field", "Template", "TemplateShapeError"]
