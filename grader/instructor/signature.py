"""Records signed by the machine that wrote them, so that a record changed afterwards is never trusted.

The content checks (grader/instructor/recordcheck.py) refuse a record whose scores are out of
bounds or do not add up, but not one changed with care: raise a test's score, its status, its
item and the total together, and every sum still holds. So each record `grade batch` (or
`grade merge`) writes carries `batch.signature`, an HMAC-SHA256 of its whole content under a
key kept outside the out folder (`~/.cache/cnn-exercises/record-key`, readable by its owner
only): whoever can write the out folder but not the instructor's home cannot sign a record.
A rerun trusts only records its own key signed; any other (changed by hand, or written on
another machine) is graded again, and the one it replaces goes to history/. Shards from other
machines are checked by `grade merge` against their content and intake list instead, then
signed here as they are copied. Where no key can be kept (no writable home), records are
written unsigned and checked for their content alone, as before.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path

FIELD = "signature"  # in the record's `batch` block
KEY_FILE = "record-key"
KEY_BYTES = 32


def _key_path() -> Path:
    return (
        Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        / "cnn-exercises"
        / KEY_FILE
    )


@functools.lru_cache(maxsize=1)
def key() -> bytes | None:
    """This user's signing key, made on first use (None where none can be kept)."""
    path = _key_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            _make_key(path)
        with open(path, "rb") as stream:
            value = stream.read(KEY_BYTES + 1)
    except OSError:
        return None
    return value if len(value) == KEY_BYTES else None


def _make_key(path: Path) -> None:
    """A new key, whole before its name appears: two runs that start at once (two batches, two
    test processes) both read the one key that was linked into place first, never a half-written one."""
    descriptor, name = tempfile.mkstemp(
        prefix=f".{KEY_FILE}.", dir=path.parent
    )  # this user's alone (0600)
    draft = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(secrets.token_bytes(KEY_BYTES))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
    finally:
        draft.unlink(missing_ok=True)


def _digest(data: dict, secret: bytes) -> str:
    batch = {name: value for name, value in data.get("batch", {}).items() if name != FIELD}
    content = json.dumps(
        {**data, "batch": batch}, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hmac.new(secret, content.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def signed(data: dict) -> dict:
    """`data` (a record, with its `batch` block) with this machine's signature in that block."""
    secret = key()
    batch = {name: value for name, value in data["batch"].items() if name != FIELD}
    if secret is None:
        return {**data, "batch": batch}
    return {**data, "batch": {**batch, FIELD: _digest(data, secret)}}


def problem(data: dict) -> str:
    """Why `data` is not a record this machine's grader wrote as it is ("" when it is, or when
    there is no key to tell)."""
    secret = key()
    if secret is None:
        return ""
    given = data.get("batch", {}).get(FIELD) if isinstance(data.get("batch"), dict) else None
    if not isinstance(given, str) or not hmac.compare_digest(given, _digest(data, secret)):
        return (
            "its signature is not this machine's: changed since the grader wrote it, or written "
            "elsewhere (merge it with `grade merge`)"
        )
    return ""


def and_signed(check: Callable[[dict], str]) -> Callable[[dict], str]:
    """`check` that also refuses a record this machine did not sign as it is."""
    return lambda data: check(data) or problem(data)
