"""The lower stage: checked workflows → Bitrix template data (activity trees, conditions,
expressions, parameters), deterministic and ready to pack."""

from compiler.codegen.template import CompiledTemplate, build_template

__all__ = ["CompiledTemplate", "build_template"]
