"""Running real PHP from tests, to check our output against PHP's own functions.

Use the `php` fixture (tests/conftest.py): it skips the test when php-cli is not installed.
Tests that need PHP are marked `@pytest.mark.php`.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

PHP_BINARY: str | None = shutil.which("php")
PHP_MISSING_REASON = (
    "php-cli is not on PATH; install it (apt-get install php-cli, as CI does) to run the tests "
    "that compare with real PHP"
)

# Pin the settings our output is compared under, whatever the local php.ini says; warnings
# go to stderr so they never mix with the bytes a script writes to stdout.
_SETTINGS = (
    "-d", "serialize_precision=-1",
    "-d", "precision=14",
    "-d", "display_errors=stderr",
    "-d", "error_reporting=-1",
    "-d", "log_errors=0",
    "-d", "html_errors=0",
    "-d", "memory_limit=2G",
)  # fmt: skip


class PhpFailed(AssertionError):
    """The PHP script exited non-zero or printed a warning/notice."""


# Reads length-prefixed blobs ("<length>\n<bytes>") from stdin into $blobs; the matching
# writer is `frame()`, and scripts answer in the same framing (`unframe()` reads it).
_READ_BLOBS = r"""
$in = stream_get_contents(STDIN);
$blobs = [];
for ($pos = 0; $pos < strlen($in);) {
    $nl = strpos($in, "\n", $pos);
    $len = (int) substr($in, $pos, $nl - $pos);
    $blobs[] = substr($in, $nl + 1, $len);
    $pos = $nl + 1 + $len;
}
function put(string $s): void { echo strlen($s), "\n", $s; }
"""


def frame(blobs: Iterable[bytes]) -> bytes:
    return b"".join(b"%d\n%b" % (len(blob), blob) for blob in blobs)


def unframe(data: bytes) -> list[bytes]:
    blobs: list[bytes] = []
    pos = 0
    while pos < len(data):
        newline = data.index(b"\n", pos)
        length = int(data[pos:newline])
        blobs.append(data[newline + 1 : newline + 1 + length])
        pos = newline + 1 + length
    return blobs


def run_php(code: str, stdin: bytes = b"", *, timeout: float = 300) -> bytes:
    """Run PHP `code` (without the opening `<?php` tag) and return what it writes to stdout."""
    if PHP_BINARY is None:
        raise PhpFailed(PHP_MISSING_REASON)
    with tempfile.TemporaryDirectory(prefix="bpl-php-") as tmp:
        # A file rather than `php -r`: scripts can be longer than one command-line argument.
        script = Path(tmp) / "script.php"
        script.write_text("<?php\n" + code, encoding="utf-8")
        done = subprocess.run(
            [PHP_BINARY, *_SETTINGS, str(script)],
            input=stdin,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    if done.returncode != 0 or done.stderr:
        raise PhpFailed(
            f"php exited with {done.returncode}:\n{done.stderr.decode(errors='replace')}"
            f"\n--- script ---\n{code}"
        )
    return done.stdout


class Php:
    """Real PHP, with the few operations the tests need in bulk (one process per call)."""

    binary: str

    def __init__(self, binary: str) -> None:
        self.binary = binary

    def run(self, code: str, stdin: bytes = b"") -> bytes:
        return run_php(code, stdin)

    def reserialize(self, blobs: list[bytes]) -> list[bytes | None]:
        """`serialize(unserialize($blob))` for each blob; None where PHP refuses the blob."""
        out = self.run(
            _READ_BLOBS
            + r"""
foreach ($blobs as $blob) {
    $value = @unserialize($blob, ['allowed_classes' => false]);
    if ($value === false && $blob !== 'b:0;') { echo "-\n"; continue; }
    put(serialize($value));
}
""",
            frame(blobs),
        )
        results: list[bytes | None] = []
        pos = 0
        while pos < len(out):
            if out.startswith(b"-\n", pos):
                results.append(None)
                pos += 2
                continue
            newline = out.index(b"\n", pos)
            length = int(out[pos:newline])
            results.append(out[newline + 1 : newline + 1 + length])
            pos = newline + 1 + length
        return results

    def serialize_literals(self, expressions: list[str]) -> list[bytes]:
        """PHP's `serialize()` of each PHP expression (e.g. "1e25", "['5' => 1]")."""
        listed = ",\n".join(expressions)
        code = _READ_BLOBS + f"foreach ([\n{listed}\n] as $v) put(serialize($v));"
        return unframe(self.run(code))

    def gzcompress(self, payloads: list[bytes], level: int = 9) -> list[bytes]:
        code = _READ_BLOBS + f"foreach ($blobs as $b) {{ put(gzcompress($b, {level})); }}"
        return unframe(self.run(code, frame(payloads)))

    def gzuncompress(self, data: bytes) -> bytes:
        return self.run("echo gzuncompress(stream_get_contents(STDIN));", data)

    def zlib_version(self) -> str:
        return self.run("echo ZLIB_VERSION;").decode()
