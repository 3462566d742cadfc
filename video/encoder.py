"""The x264 options a chapter is encoded with, where they differ from manim.cfg's."""

from __future__ import annotations

import configparser
from pathlib import Path

from .plan import ROOT

# x264 options per quality where they differ from manim.cfg's. The 480p15 preview is
# about speed: the ultrafast preset (less of x264's time per frame, for larger files at
# a higher PSNR), and a constant quantiser instead of manim's crf 23: for crf, x264
# analyses a half-size copy of every picture to rate it, which a constant quantiser
# skips. The figures (CPU per frame, PSNR, sizes) are in docs/performance.md;
# bench/encoder_bench.py measures them again.
QUALITY_OPTIONS = {"low": {"preset": "ultrafast", "crf": "-1", "qp": "17"}}


def encoder_options(quality: str, parallel: int) -> dict[str, str]:
    """x264 options added to manim.cfg's for a render at ``quality`` running beside
    ``parallel - 1`` others.

    x264 starts threads of its own for every render; when the chapters already keep
    every core busy, those threads only contend (two 1080p60 renders side by side were
    11 % faster with one encoder thread each; a render alone was 20 % slower), so
    parallel renders get one thread each and a render alone x264's own choice.
    """
    options = dict(QUALITY_OPTIONS.get(quality, {}))
    if parallel >= 2:
        options["threads"] = "1"
    return options


def encoder_config(folder: Path, quality: str, parallel: int) -> list[str]:
    """The same encoder settings as options of a ``manim render`` command (the
    benchmark's single renders). A ``--config_file`` replaces manim.cfg's encoder
    options, so they are copied."""
    extra = encoder_options(quality, parallel)
    if not extra:
        return []
    parser = configparser.ConfigParser()
    parser.read(ROOT / "manim.cfg")
    section = "video_encoder.options"
    options = {**(dict(parser[section]) if parser.has_section(section) else {}), **extra}
    path = folder / "encoder.cfg"
    path.write_text(f"[{section}]\n" + "".join(f"{k} = {v}\n" for k, v in options.items()))
    return ["--config_file", str(path)]
