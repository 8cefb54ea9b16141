"""Where a portal's state file is being served, kept in that file.

`bpl sandbox serve` records the address it listens on (scheme, host, port) and its process id;
`seed` and `info`, run later from anywhere in the project, read it back to print URLs a
client can paste, and a portal opened in another process (`bpl workflows start`) gives app
handlers that address to call back. A record whose process is gone is ignored.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

from compiler.sandbox.store import Store

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8124
_KEY = "served"


@dataclass(frozen=True)
class Served:
    url: str  # http(s)://host:port, no trailing slash
    pid: int
    ca_file: str | None = None  # the CA a client must trust (https only)
    bundle_file: str | None = None  # that CA appended to the usual public CAs

    @property
    def domain(self) -> str:
        """host:port, what SDKs that build `https://{domain}/rest` take."""
        return urlsplit(self.url).netloc

    @property
    def alive(self) -> bool:
        return process_alive(self.pid)


def url_of(host: str, port: int, *, tls: bool = False) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"{'https' if tls else 'http'}://{shown}:{port}"


def process_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive, though not ours
        return True
    except OSError:
        return False
    return True


def record(store: Store, served: Served) -> None:
    with store.transaction(write=True) as conn:
        conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                     (_KEY, json.dumps(asdict(served))))


def clear(store: Store, pid: int) -> None:
    """Forget the record if it is this process's (another server may have taken over)."""
    current = read(store)
    if current is not None and current.pid == pid:
        with store.transaction(write=True) as conn:
            conn.execute("DELETE FROM meta WHERE key = ?", (_KEY,))


def read(store: Store) -> Served | None:
    text = store.meta(_KEY)
    if text is None:
        return None
    try:
        data = json.loads(text)
        return Served(str(data["url"]), int(data["pid"]), data.get("ca_file"),
                      data.get("bundle_file"))
    except (ValueError, KeyError, TypeError):
        return None


def live(store: Store) -> Served | None:
    """The record of a server that still runs, else None."""
    served = read(store)
    return served if served is not None and served.alive else None


def exports(bundle: str) -> str:
    """The shell line that makes Python clients (requests, httpx, aiohttp, ssl) trust the CA
    bundle at `bundle`."""
    path = _quoted(bundle)
    return f"export SSL_CERT_FILE={path} REQUESTS_CA_BUNDLE={path}"


def _quoted(text: str) -> str:
    safe = all(c.isalnum() or c in "/._-+:@%," for c in text)
    return text if safe else "'" + text.replace("'", "'\\''") + "'"


def client_urls(base_url: str, webhook_path: str | None) -> dict[str, str | None]:
    """The URLs a Bitrix24 client is configured with, for a portal at `base_url`."""
    return {
        "portal_url": base_url,
        "domain": urlsplit(base_url).netloc,
        "rest_url": f"{base_url}/rest/",
        "webhook_url": f"{base_url}{webhook_path}" if webhook_path else None,
        "oauth_token_url": f"{base_url}/oauth/token/",
    }
