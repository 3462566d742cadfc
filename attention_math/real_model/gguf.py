"""A small reader for GGUF files (versions 2 and 3), numpy and standard library only.

Layout of a GGUF file, all little-endian:

1. header: magic ``b"GGUF"``, version (u32), tensor count (u64), metadata count (u64);
2. metadata: ``key (string), value type (u32), value``; a string is ``length (u64), utf-8``;
   an array is ``element type (u32), count (u64), elements``;
3. tensor infos: ``name, n_dims (u32), dims (u64 each, fastest-varying first), type (u32),
   offset (u64)``;
4. padding up to ``general.alignment`` (default 32), then the tensor data; each offset is
   relative to the start of that data.

The whole file is memory-mapped; tensor bytes are views into the map, never copies.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from attention_math.real_model import quant

MAGIC = b"GGUF"
DEFAULT_ALIGNMENT = 32

# Metadata value types: code -> struct format of one scalar (8 is string, 9 is array).
_SCALAR_FORMATS = {
    0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i",
    6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d",
}  # fmt: skip
_STRING, _ARRAY = 8, 9


class GGUFFormatError(ValueError):
    """The bytes are not a well-formed GGUF file (bad magic, truncated, unknown type...)."""


@dataclass(frozen=True)
class TensorInfo:
    """Where one tensor lives in the file.

    ``shape`` is in numpy order (slowest-varying first), i.e. GGUF's dims reversed: a
    linear layer stored with GGUF dims ``[d_in, d_out]`` has numpy shape ``(d_out, d_in)``.
    """

    name: str
    shape: tuple[int, ...]
    ggml_type: int
    offset: int  # absolute byte offset in the file

    @property
    def n_elements(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def n_bytes(self) -> int:
        return quant.n_bytes(self.ggml_type, self.n_elements)


@dataclass(frozen=True)
class GGUFFile:
    """A parsed GGUF file: its metadata, its tensor table and the memory map."""

    path: Path
    version: int
    metadata: dict[str, Any]
    tensors: dict[str, TensorInfo]
    data: np.ndarray  # the whole file, memory-mapped uint8

    def raw(self, name: str) -> np.ndarray:
        """The stored bytes of one tensor (a uint8 view into the memory map)."""
        info = self._info(name)
        return self.data[info.offset : info.offset + info.n_bytes]

    def tensor(self, name: str) -> np.ndarray:
        """One tensor dequantised to float32, in numpy order (see :class:`TensorInfo`)."""
        info = self._info(name)
        return quant.dequantize(self.raw(name), info.ggml_type, info.shape)

    def _info(self, name: str) -> TensorInfo:
        if name not in self.tensors:
            raise GGUFFormatError(f"tensor {name!r} is missing")
        return self.tensors[name]


class _Cursor:
    """Reads little-endian values one after the other from a buffer."""

    def __init__(self, buffer: memoryview) -> None:
        self.buffer = buffer  # a memoryview: slicing it is much cheaper than slicing a memmap
        self.pos = 0

    def unpack(self, fmt: str) -> Any:
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.buffer):
            raise GGUFFormatError("file ends in the middle of its header")
        (value,) = struct.unpack_from(fmt, self.buffer, self.pos)
        self.pos += size
        return value

    def string(self) -> str:
        length = self.unpack("<Q")
        end = self.pos + length
        if end > len(self.buffer):
            raise GGUFFormatError("file ends in the middle of a string")
        raw = self.buffer[self.pos : end]
        self.pos = end
        try:
            return str(raw, "utf-8")
        except UnicodeDecodeError as error:
            raise GGUFFormatError("a string is not valid utf-8") from error

    def value(self, value_type: int) -> Any:
        if value_type == _STRING:
            return self.string()
        if value_type == _ARRAY:
            return self.array()
        if value_type not in _SCALAR_FORMATS:
            raise GGUFFormatError(f"unknown metadata value type {value_type}")
        return self.unpack(_SCALAR_FORMATS[value_type])

    def array(self) -> list[Any] | np.ndarray:
        """Strings and nested arrays come back as lists, numbers as a numpy array."""
        element_type, count = self.unpack("<I"), self.unpack("<Q")
        if element_type in (_STRING, _ARRAY):
            return [self.value(element_type) for _ in range(count)]
        if element_type not in _SCALAR_FORMATS:
            raise GGUFFormatError(f"unknown metadata value type {element_type}")
        dtype = np.dtype(_SCALAR_FORMATS[element_type])
        end = self.pos + count * dtype.itemsize
        if end > len(self.buffer):
            raise GGUFFormatError("file ends in the middle of an array")
        values = np.frombuffer(self.buffer[self.pos : end], dtype=dtype).copy()  # (count,)
        self.pos = end
        return values


def read_gguf(path: str | Path) -> GGUFFile:
    """Parse the header, metadata and tensor table of a GGUF file and memory-map its data.

    Raises
    ------
    GGUFFormatError
        If the file is not a GGUF v2/v3 file or is truncated.
    """
    path = Path(path)
    if path.stat().st_size < 24:
        raise GGUFFormatError("file is too short to be GGUF")
    data = np.memmap(path, dtype=np.uint8, mode="r")
    cursor = _Cursor(memoryview(data))
    if data[:4].tobytes() != MAGIC:
        raise GGUFFormatError("not a GGUF file (bad magic bytes)")
    cursor.pos = 4
    version = cursor.unpack("<I")
    if version not in (2, 3):
        raise GGUFFormatError(f"unsupported GGUF version {version}")
    n_tensors, n_metadata = cursor.unpack("<Q"), cursor.unpack("<Q")
    metadata = {}
    for _ in range(n_metadata):
        key = cursor.string()
        metadata[key] = cursor.value(cursor.unpack("<I"))
    infos = [_read_tensor_info(cursor) for _ in range(n_tensors)]
    alignment = int(metadata.get("general.alignment", DEFAULT_ALIGNMENT))
    data_start = -(-cursor.pos // alignment) * alignment  # round up
    tensors = {}
    for name, shape, ggml_type, offset in infos:
        info = TensorInfo(name, shape, ggml_type, data_start + offset)
        if info.offset + info.n_bytes > len(data):
            raise GGUFFormatError(f"tensor {name!r} runs past the end of the file")
        tensors[name] = info
    return GGUFFile(path, version, metadata, tensors, data)


def _read_tensor_info(cursor: _Cursor) -> tuple[str, tuple[int, ...], int, int]:
    name = cursor.string()
    n_dims = cursor.unpack("<I")
    dims = [cursor.unpack("<Q") for _ in range(n_dims)]
    ggml_type, offset = cursor.unpack("<I"), cursor.unpack("<Q")
    if ggml_type not in quant.SUPPORTED_TYPES:
        raise GGUFFormatError(f"tensor {name!r} has unsupported ggml type {ggml_type}")
    if dims and dims[0] % quant.block_size(ggml_type):
        raise GGUFFormatError(f"tensor {name!r} rows do not fill whole quantisation blocks")
    return name, tuple(reversed(dims)), ggml_type, offset
