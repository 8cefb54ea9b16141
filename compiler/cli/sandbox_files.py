"""The project's sandbox database, for commands that do not talk to it: where it is, its
problems as sentences, and the client id of its default application, read without loading
the sandbox (whose web stack costs `bpl compile` and `bpl test` more than their own work).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from compiler.project.config import SANDBOX_STATE, ConfigError, Project


@contextmanager
def _folder_errors(project: Project) -> Iterator[None]:
    """A state folder that cannot be made or written is one sentence, like any other
    configuration problem."""
    try:
        yield
    except (FileExistsError, NotADirectoryError) as error:
        raise ConfigError(f"cannot open the sandbox portal: {error.filename} is a file where "
                          "bpl keeps a folder (its state and the sandbox's)") from None
    except OSError as error:
        where = f" ({error.filename})" if error.filename else ""
        raise ConfigError(f"cannot open the sandbox portal in {project.state_dir}: "
                          f"{error.strerror or error}{where}") from None


@contextmanager
def sandbox_errors(project: Project) -> Iterator[None]:
    """So is a sandbox that cannot be opened (its file is not the sandbox's database)."""
    from compiler.sandbox.store import StoreError

    with _folder_errors(project):
        try:
            yield
        except StoreError as error:
            raise ConfigError(f"cannot open the sandbox portal: {error}; move the file away "
                              "to start with an empty sandbox") from None


def sandbox_data(project: Project) -> Path:
    data = project.state_dir / SANDBOX_STATE
    with _folder_errors(project):
        data.parent.mkdir(parents=True, exist_ok=True)
    return data


def sandbox_client_id(project: Project) -> str:
    """The client id of the project's sandbox's default application: what `env.app_client_id`
    is in the sandbox environment, so that commands compiling without connecting (`bpl
    compile`, `bpl test`) type app robots as `bpl plan` and `bpl apply` do.

    Read from the sandbox's database when it has one; the sandbox itself (and the web stack it
    brings) loads only to make the database and its default application, once per project."""
    data = sandbox_data(project)
    known = _default_client_id(data)
    if known is not None:
        return known
    from compiler.sandbox import Sandbox, SandboxConfig

    with sandbox_errors(project):
        sandbox = Sandbox(SandboxConfig(data=data))
        try:
            return sandbox.ensure_default_app().client_id
        finally:
            sandbox.close()


def _default_client_id(data: Path) -> str | None:
    """The default application's client id as the sandbox stores it (the `apps` table of
    compiler/sandbox/store.py), or None when there is no such database or row yet. Opened
    read-write so that a database in WAL mode can be read, but never created here."""
    if not data.is_file():
        return None
    try:
        connection = sqlite3.connect(f"{data.resolve().as_uri()}?mode=rw", uri=True)
    except sqlite3.Error:
        return None
    try:
        row = connection.execute("SELECT client_id FROM apps WHERE is_default = 1").fetchone()
    except sqlite3.Error:
        return None  # not (yet) the sandbox's database: the sandbox says what it is
    finally:
        connection.close()
    return str(row[0]) if row is not None and row[0] else None
