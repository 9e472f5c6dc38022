"""The record-signing key: made once, whole, whoever asks for it first."""

from __future__ import annotations

from grader.instructor import signature


def test_a_run_that_asks_while_another_makes_the_key_reads_a_whole_key(tmp_path, monkeypatch):
    """Two batches (or two test processes) starting together on a machine without a key: the
    second asks while the first is still writing it. Both get the one key that was kept, never a
    half-written one (which would sign nothing, and every record would be regraded)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    real_token, arrived = signature.secrets.token_bytes, []

    def token_while_another_run_arrives(count: int) -> bytes:
        if not arrived:
            arrived.append(None)
            arrived[0] = signature.key.__wrapped__()  # the other run, in the middle of this write
        return real_token(count)

    monkeypatch.setattr(signature.secrets, "token_bytes", token_while_another_run_arrives)
    first = signature.key.__wrapped__()
    assert arrived and first is not None and arrived[0] == first
    folder = tmp_path / "cnn-exercises"
    assert [path.name for path in folder.iterdir()] == [signature.KEY_FILE]  # no draft left behind
    assert (folder / signature.KEY_FILE).read_bytes() == first
