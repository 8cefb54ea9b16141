"""The REST methods of the sandbox portal, one module per family; importing registers them."""

from compiler.sandbox.methods import (  # noqa: F401  (imported for their registrations)
    basic,
    events,
    rest_activities,
    tasks,
    templates,
    workflows,
)
from compiler.sandbox.methods.base import REGISTRY, Call, Method, Result

__all__ = ["REGISTRY", "Call", "Method", "Result"]
