"""The wire format between the trusted side and the worker: data in, data out, nothing else."""

from __future__ import annotations

import io

import numpy as np
import pytest

from grader.jail import wire


def round_trip(value):
    blobs: list = []
    node = wire.encode_value(value, blobs)
    message = wire.pack_message({"value": node}, blobs)
    stream = io.BytesIO(message)
    header, received = wire.read_message(stream.read)
    return wire.decode_value(header["value"], received)


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        3,
        -(2**70),
        2.5,
        float("inf"),
        "text",
        (1, 2),
        [1, (2, 3)],
        {"a": (1.5, None)},
    ],
)
def test_plain_values_survive(value):
    assert round_trip(value) == value


def test_nan_survives():
    assert np.isnan(round_trip(float("nan")))


def test_arrays_and_scalars_survive_with_dtype():
    array = np.arange(12, dtype=np.uint8).reshape(3, 4)
    back = round_trip((array, np.float32(1.5)))
    assert back[0].dtype == np.uint8 and np.array_equal(back[0], array)
    assert isinstance(back[1], np.float32) and back[1] == 1.5


@pytest.mark.parametrize(
    "value",
    [
        object(),
        np.array([object()], dtype=object),
        np.array(["a"]),
        lambda: 1,
        {1: 2},
        iter([1]),
    ],
)
def test_non_data_is_refused(value):
    with pytest.raises(wire.ProtocolError):
        wire.encode_value(value, [])


def test_deep_nesting_is_refused():
    value: list = []
    for _repeat in range(wire.MAX_DEPTH + 2):
        value = [value]
    with pytest.raises(wire.ProtocolError):
        wire.encode_value(value, [])


def test_pickled_arrays_are_not_loaded():
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"evil": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(wire.ProtocolError, match="cannot be received|malformed"):
        wire.decode_value({"__array__": 0}, [buffer.getvalue()])


@pytest.mark.parametrize(
    "node",
    [
        {"__array__": 5},
        {"__tuple__": 3},
        {"__float__": "1e999"},
        {"unknown": 1},
        {"a": 1, "b": 2},
    ],
)
def test_forged_nodes_are_refused(node):
    with pytest.raises(wire.ProtocolError):
        wire.decode_value(node, [])


def test_oversized_header_is_refused():
    stream = io.BytesIO(wire.FRAME_HEADER.pack(wire.MAX_MESSAGE_BYTES + 1, 0))
    with pytest.raises(wire.ProtocolError):
        wire.read_message(stream.read)


def test_forged_array_header_is_refused_before_allocating():
    from numpy.lib import format as npy

    buffer = io.BytesIO()
    npy.write_array_header_1_0(buffer, {"descr": "<f8", "fortran_order": False, "shape": (10**10,)})
    forged = buffer.getvalue() + bytes(32)  # promises 80 GB, sends 32 bytes
    with pytest.raises(wire.ProtocolError, match="promises 80000000000 bytes, 32 came"):
        wire.decode_value({"__array__": 0}, [forged])
