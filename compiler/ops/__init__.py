"""Operations on a portal's running business: start and stop workflows, answer and delegate
tasks, list and delete templates. Library functions over a `PortalClient`; the `bpl
workflows|tasks|templates` commands are thin shells over them. Every refusal is an `OpsError`
whose message is one sentence.

The submodules load when named (`from compiler.ops import tasks`): `bpl sandbox` reads
document ids from here without loading the deployer that `templates` needs."""

from compiler.ops.documents import document_id
from compiler.ops.errors import OpsError

__all__ = ["OpsError", "document_id", "tasks", "templates", "workflows"]
