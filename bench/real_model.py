"""Benchmark of the real-model mode: load time, forward time, peak memory.

Run from the project root (the project installed, e.g. in .venv/)::

    python bench/real_model.py

Targets: load <= 3 s, a 40-token forward pass <= 0.3 s, peak memory <= 1 GB.
BLAS runs on one thread, for stable timings on a 2-core machine.
"""

from __future__ import annotations

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"  # before numpy is imported

import resource  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from attention_math.real_model.smollm2 import default_model, forward  # noqa: E402

TARGETS = {"load_s": 3.0, "forward_40_s": 0.3, "peak_mb": 1024.0}
TEXT = (
    "a fluffy blue creature roamed the verdant forest while the wise old owl watched from a "
    "high branch, and the cold river sang quietly to the smooth stones beneath the wooden "
    "bridge until the first light of dawn reached the sleeping village on the far hill"
)
REPEATS = 5


def _ids(n_tokens: int) -> np.ndarray:
    ids = default_model().tokenizer.encode(TEXT)
    assert len(ids) >= n_tokens, "benchmark text is too short"
    return np.array(ids[:n_tokens])  # (n_tokens,)


def _best_forward(n_tokens: int) -> float:
    ids = _ids(n_tokens)
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        forward(default_model(), ids)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    start = time.perf_counter()
    default_model()
    load = time.perf_counter() - start
    print(f"load + dequantise      {load:6.2f} s   (target <= {TARGETS['load_s']} s)")
    forward_40 = 0.0
    for n_tokens in (10, 20, 40):
        seconds = _best_forward(n_tokens)
        forward_40 = seconds if n_tokens == 40 else forward_40
        print(f"forward, {n_tokens:2d} tokens     {seconds:6.3f} s   (best of {REPEATS})")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"peak resident memory   {peak:6.0f} MB  (target <= {TARGETS['peak_mb']:.0f} MB)")
    ok = load <= TARGETS["load_s"] and forward_40 <= TARGETS["forward_40_s"]
    ok = ok and peak <= TARGETS["peak_mb"]
    print("all targets met" if ok else "SOME TARGETS MISSED")


if __name__ == "__main__":
    main()
