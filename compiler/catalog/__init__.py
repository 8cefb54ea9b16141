"""The standard catalog: Bitrix activities, document fields, calc functions, conditions and
modifiers, as the checker, the lowering and the sandbox need them. The facts live in stdlib/*.toml;
this package reads and validates them.
"""

from compiler.catalog.loader import Catalog, CatalogError, load_catalog
from compiler.catalog.models import (
    BASE_FIELD_TYPES,
    ActivitySpec,
    ConditionSpec,
    DocumentSpec,
    FieldSpec,
    FunctionSpec,
    ModifierSpec,
    PropertySpec,
    ReturnSpec,
)

__all__ = [
    "BASE_FIELD_TYPES",
    "ActivitySpec",
    "Catalog",
    "CatalogError",
    "ConditionSpec",
    "DocumentSpec",
    "FieldSpec",
    "FunctionSpec",
    "ModifierSpec",
    "PropertySpec",
    "ReturnSpec",
    "load_catalog",
]
