"""Lets the synchronous client use an asynchronous httpx transport, such as
`httpx.ASGITransport` serving the sandbox portal in-process.

The async transport runs on a private event loop in a daemon thread; each request is handed
over with `run_coroutine_threadsafe` and its body read completely before it comes back, so the
caller sees an ordinary synchronous `httpx.Response`.
"""

from __future__ import annotations

import asyncio
import threading

import httpx


class SyncBridgeTransport(httpx.BaseTransport):
    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self._transport = transport
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name="bpl-portal-bridge", daemon=True
                )
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        async_request = httpx.Request(
            request.method,
            request.url,
            headers=request.headers,
            content=body,
            extensions=request.extensions,
        )

        async def exchange() -> tuple[int, httpx.Headers, bytes, dict[str, object]]:
            response = await self._transport.handle_async_request(async_request)
            try:
                # Raw bytes: the synchronous response decodes them again per its headers.
                content = b"".join([chunk async for chunk in response.aiter_raw()])
            finally:
                await response.aclose()
            return response.status_code, response.headers, content, dict(response.extensions)

        future = asyncio.run_coroutine_threadsafe(exchange(), self._ensure_loop())
        status, headers, content, extensions = future.result()
        return httpx.Response(
            status, headers=headers, content=content, request=request, extensions=extensions
        )

    def close(self) -> None:
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._transport.aclose(), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()
