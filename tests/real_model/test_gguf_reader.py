"""The GGUF reader on files written by the test helper."""

from __future__ import annotations

import numpy as np
import pytest
from tiny_gguf import (
    ARRAY,
    F16,
    F32,
    F64,
    I8,
    I16,
    I32,
    I64,
    Q4_1,
    Q8_0,
    STRING,
    U8,
    U16,
    U64,
    Typed,
    write_gguf,
)

from attention_math.real_model.gguf import GGUFFormatError, read_gguf

METADATA = {
    "general.architecture": "llama",
    "some.u8": Typed(U8, 200),
    "some.i8": Typed(I8, -5),
    "some.u16": Typed(U16, 60_000),
    "some.i16": Typed(I16, -30_000),
    "some.u32": 4_000_000_000,
    "some.i32": Typed(I32, -7),
    "some.f32": 0.25,
    "some.bool": True,
    "some.u64": Typed(U64, 2**40),
    "some.i64": Typed(I64, -(2**40)),
    "some.f64": Typed(F64, 1e-300),
    "some.strings": ["Ġfluffy", "naïve", "", "<|endoftext|>"],
    "some.int32s": np.array([3, -1, 7], dtype=np.int32),
    "some.nested": Typed(ARRAY, [Typed(ARRAY, ["a", "b"]), Typed(ARRAY, [Typed(STRING, "c")])]),
}


def _tensors() -> dict[str, tuple[np.ndarray, int]]:
    rng = np.random.default_rng(1)
    return {
        "matrix.q4_1": (rng.standard_normal((3, 64)), Q4_1),
        "matrix.q8_0": (rng.standard_normal((5, 32)), Q8_0),
        "vector.f32": (rng.standard_normal(7), F32),
        "vector.f16": (rng.standard_normal(3), F16),
        "cube.f32": (rng.standard_normal((2, 3, 4)), F32),
    }


@pytest.fixture
def written(tmp_path):
    path = tmp_path / "model.gguf"
    raw = write_gguf(path, METADATA, _tensors(), alignment=64)
    return path, raw


def test_metadata_round_trips_every_value_type(written):
    gguf = read_gguf(written[0])
    meta = gguf.metadata
    assert gguf.version == 3
    assert meta["general.architecture"] == "llama"
    assert (meta["some.u8"], meta["some.i8"], meta["some.u16"]) == (200, -5, 60_000)
    assert (meta["some.i16"], meta["some.u32"], meta["some.i32"]) == (-30_000, 4_000_000_000, -7)
    assert meta["some.f32"] == 0.25 and meta["some.bool"] is True
    assert (meta["some.u64"], meta["some.i64"], meta["some.f64"]) == (2**40, -(2**40), 1e-300)
    assert meta["some.strings"] == ["Ġfluffy", "naïve", "", "<|endoftext|>"]
    assert meta["some.int32s"].dtype == np.int32
    np.testing.assert_array_equal(meta["some.int32s"], [3, -1, 7])
    assert meta["some.nested"] == [["a", "b"], ["c"]]


def test_tensor_table_shapes_types_and_aligned_offsets(written):
    path, raw = written
    gguf = read_gguf(path)
    expected = {name: (array.shape, kind) for name, (array, kind) in _tensors().items()}
    assert {n: (t.shape, t.ggml_type) for n, t in gguf.tensors.items()} == expected
    for name, info in gguf.tensors.items():
        assert info.offset % 64 == 0  # general.alignment is honoured
        assert gguf.raw(name).tobytes() == raw[name]


def test_tensors_are_dequantised_in_numpy_order(written):
    gguf = read_gguf(written[0])
    cube, _ = _tensors()["cube.f32"]
    np.testing.assert_array_equal(gguf.tensor("cube.f32"), cube.astype(np.float32))
    original, _ = _tensors()["matrix.q4_1"]
    q4 = gguf.tensor("matrix.q4_1")
    assert q4.shape == (3, 64) and q4.dtype == np.float32
    assert np.abs(q4 - original).max() < 0.3  # 4-bit: one step is (max - min) / 15


def test_missing_tensor_is_a_format_error(written):
    with pytest.raises(GGUFFormatError, match="missing"):
        read_gguf(written[0]).tensor("nope")


def test_bad_magic(tmp_path):
    path = tmp_path / "bad.gguf"
    path.write_bytes(b"GGML" + bytes(100))
    with pytest.raises(GGUFFormatError, match="magic"):
        read_gguf(path)


def test_unsupported_version(tmp_path):
    path = tmp_path / "v1.gguf"
    write_gguf(path, {"a": 1}, {}, version=1)
    with pytest.raises(GGUFFormatError, match="version"):
        read_gguf(path)


@pytest.mark.parametrize("keep", [10, 40, 200])
def test_truncated_header(written, tmp_path, keep):
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(written[0].read_bytes()[:keep])
    with pytest.raises(GGUFFormatError):
        read_gguf(cut)


def test_truncated_tensor_data(written, tmp_path):
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(written[0].read_bytes()[:-100])
    with pytest.raises(GGUFFormatError, match="past the end"):
        read_gguf(cut)


def test_unsupported_tensor_type(tmp_path):
    path = tmp_path / "q5.gguf"
    write_gguf(path, {}, {"w": (np.zeros(32), F32)})
    data = bytearray(path.read_bytes())
    type_at = data.index(b"w") + 1 + 4 + 8  # name, n_dims, one dim, then the type
    data[type_at : type_at + 4] = (6).to_bytes(4, "little")  # Q5_0
    path.write_bytes(bytes(data))
    with pytest.raises(GGUFFormatError, match="unsupported ggml type 6"):
        read_gguf(path)
