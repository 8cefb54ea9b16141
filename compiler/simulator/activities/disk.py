"""Drive activities (disk): folders, uploads, versions, copies, moves and removals are
recorded (kind disk) with new object ids from a counter (their links stay empty); what Drive
holds is not simulated, so DiskDetailActivity runs with declared results
(compiler.simulator.activities.outside)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compiler.bitrix import Activity
from compiler.php.values import to_str
from compiler.simulator.activities.registry import activity

if TYPE_CHECKING:
    from compiler.simulator.run import Run

_FIRST_OBJECT = 9001  # ids of Drive objects a run makes


def _sources(run: Run, raw: Any) -> list[Any]:
    value = run.evaluator.value(raw)
    return [v for v in (value if isinstance(value, list) else [value]) if v not in (None, "")]


def _made(run: Run, node: Activity, operation: str, count: int, **data: Any) -> None:
    """`count` new objects: their ids; their links are the portal's and stay empty."""
    ids = [run.next_id("disk", _FIRST_OBJECT) for _ in range(count)]
    run.record("disk", node, operation=operation, ids=ids, **data)
    run.set_result(node, {"ObjectId": ids, "DetailUrl": [""] * count,
                          "DownloadUrl": [""] * count})


def _target(run: Run, props: dict[str, Any]) -> dict[str, Any]:
    return {"entity_type": to_str(props.get("EntityType")),
            "entity_id": run.evaluator.value(props.get("EntityId"))}


@activity("DiskAddFolderActivity")
def add_folder(run: Run, node: Activity) -> None:
    props = run.props(node)
    folder_id = run.next_id("disk", _FIRST_OBJECT)
    run.record("disk", node, operation="folder", ids=[folder_id],
               name=run.evaluator.text(props.get("FolderName", "")), **_target(run, props))
    run.set_result(node, {"ObjectId": folder_id, "DetailUrl": ""})


@activity("DiskUploadActivity")
def upload(run: Run, node: Activity) -> None:
    props = run.props(node)
    files = _sources(run, props.get("SourceFile"))
    _made(run, node, "upload", len(files), files=files, **_target(run, props))


@activity("DiskUploadVersionActivity")
def upload_version(run: Run, node: Activity) -> None:
    props = run.props(node)
    targets = _sources(run, props.get("SourceId"))
    _made(run, node, "version", len(targets), targets=targets,
          files=_sources(run, props.get("SourceFile")))


@activity("DiskCopyMoveActivity")
def copy_move(run: Run, node: Activity) -> None:
    props = run.props(node)
    sources = _sources(run, props.get("SourceId"))
    _made(run, node, to_str(props.get("Operation")) or "copy", len(sources), sources=sources,
          **_target(run, props))


@activity("DiskRemoveActivity")
def remove(run: Run, node: Activity) -> None:
    run.record("disk", node, operation="remove",
               sources=_sources(run, run.props(node).get("SourceId")))
