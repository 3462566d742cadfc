"""Glyph sheets: every character of COMPOSABLE drawn once per font by Pango, so that
labels can be put together from copies of those outlines (see ``labels.literal``).

A sheet costs about 0.7 s to draw (a dozen Pango + SVG round trips), and every
chapter is rendered in a process of its own, so sheets are kept on disk, in
``$XDG_CACHE_HOME/attention-visually-explained/`` (``~/.cache/...`` by default),
under a name that changes with anything that could change a glyph: the font
files installed, the manim and ManimPango versions, the character set and this
module's format. A missing, unreadable or unwritable cache only costs the time.
"""

from __future__ import annotations

import hashlib
import json
import os
import string
import subprocess
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from manim import RIGHT, UP, Text, tempconfig

# Characters that labels compose from sheets; anything else (other scripts, emoji,
# combining marks) goes through Pango, which shapes it properly.
COMPOSABLE = (
    string.ascii_letters
    + string.digits
    + string.punctuation
    + "\u2212\u00d7\u00b7\u2026\u22ef\u221e\u2013\u2014\u2018\u2019\u201c\u201d"
    + "\u2192\u2190\u2191\u2193\u2248\u2264\u2265\u00b0\u00e9\u00e8\u00ea\u00e0\u00e7\u2032"
    + "\u0394\u03a3\u221a\u2022\u1d40\u02b0\u2096"  # Δ Σ √ • ᵀ ʰ ₖ
    + "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089"
    + "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079\u207b\u207d\u207e"
)
SHEET_SIZE = 48  # glyphs are drawn at this size and scaled (linear: no hinting in SVG)
LINE_SPACINGS = (-1, 0.8)  # Pango's default and the captions': measured with the sheet
FORMAT = 2  # of the cached files; bump when what is stored changes


class GlyphSheet:
    """The outline of every COMPOSABLE glyph of one font, shifted so that its advance
    starts at x = 0 on the baseline (the bottom of "0" is at y = 0), with its advance
    width, and the distance between baselines for the line spacings used.
    """

    def __init__(self, font: str, advance: dict, outline: dict, pitch: dict):
        self.font = font
        self.advance: dict[str, float] = advance
        self.outline: dict[str, np.ndarray] = outline
        self._pitch: dict[float, float] = pitch
        self.baseline = 0.0

    @classmethod
    def draw(cls, font: str) -> GlyphSheet:
        """Measure the font with Pango.

        Pango draws "00" (the advance of 0), then "0c0c0..." for every character c: the
        distance between the zeros around c is the advance of 0 plus that of c.

        Manim lays text out in a box as wide as the current video and caches the
        drawing under a name that ignores that width, so at a small resolution (the
        tests render at 192 x 108 pixels) a sheet would wrap onto two lines, and the
        wrapped drawing would be reused at every resolution. Sheets are therefore drawn
        on a wide canvas into a folder of their own, and each is checked to be one line.
        """
        sheet = cls(font, {}, {}, {})
        with _wide_canvas():
            pair = Text("00", font=font, font_size=SHEET_SIZE)
            zero = pair[1].get_center()[0] - pair[0].get_center()[0]
            chars = COMPOSABLE + " "  # the space has no glyph, only an advance
            for first in range(0, len(chars), 16):  # short lines: Pango wraps long ones
                sheet._measure(chars[first : first + 16], zero)
            for spacing in LINE_SPACINGS:
                sheet.pitch(spacing)
        return sheet

    def _measure(self, chars: str, zero: float) -> None:
        sheet = Text("0" + "0".join(chars) + "0", font=self.font, font_size=SHEET_SIZE)
        # left to right (Pango may emit a run drawn from another font out of order)
        glyphs = sorted(sheet.submobjects, key=lambda g: g.get_center()[0])
        drawn = len(chars) - chars.count(" ")
        if len(glyphs) != len(chars) + 1 + drawn:
            raise RuntimeError(f"font {self.font!r} does not draw one glyph per character")
        zeros, index = [0], 0
        for ch in chars:
            index += 1 if ch == " " else 2
            zeros.append(index)
        if any(
            len(glyphs[n].points) != len(glyphs[0].points)
            or abs(glyphs[n].get_bottom()[1] - glyphs[0].get_bottom()[1]) > 0.01 * zero
            for n in zeros
        ):  # the zeros must stand on one baseline, every other glyph between two of them
            raise RuntimeError(f"the glyph sheet of {self.font!r} is not drawn on one line")
        # Pango centres each sheet on its own ink, so put every sheet's baseline (where
        # the zeros stand) at y = 0.
        floor = glyphs[0].get_bottom()[1]
        index = 0  # of the zero before ch
        for ch in chars:
            before = glyphs[index].get_center()[0]
            step = 1 if ch == " " else 2
            self.advance[ch] = glyphs[index + step].get_center()[0] - before - zero
            if ch != " ":
                start = before + zero / 2  # where the advance of ch begins
                points = np.vstack(
                    [g.points for g in glyphs[index + 1].family_members_with_points()]
                )
                self.outline[ch] = points - start * RIGHT - floor * UP
            index += step

    def pitch(self, line_spacing: float) -> float:
        """Distance between baselines, as Pango spaces lines for ``line_spacing``."""
        if line_spacing not in self._pitch:
            kwargs = {} if line_spacing == -1 else {"line_spacing": line_spacing}
            with _wide_canvas():
                two = Text("0\n0", font=self.font, font_size=SHEET_SIZE, **kwargs)
            self._pitch[line_spacing] = two[0].get_center()[1] - two[1].get_center()[1]
        return self._pitch[line_spacing]

    def outlines(self, text: str, line_spacing: float) -> list[np.ndarray]:
        """The placed outline of every non-space character of ``text``, in order."""
        placed = []
        for row, line in enumerate(text.split("\n")):
            x, y = 0.0, -row * self.pitch(line_spacing)
            for ch in line:
                if ch != " ":
                    placed.append(self.outline[ch] + (x * RIGHT + y * UP))
                x += self.advance[ch]
        return placed

    # -- on disk ---------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write the sheet to ``path`` (atomically: readers never see half a file)."""
        chars = sorted(self.outline)
        arrays = {
            "chars": np.array(chars),
            "counts": np.array([len(self.outline[c]) for c in chars]),
            "points": np.vstack([self.outline[c] for c in chars]),
            "advance_chars": np.array(sorted(self.advance)),
            "advances": np.array([self.advance[c] for c in sorted(self.advance)]),
            "spacings": np.array(list(self._pitch)),
            "pitches": np.array(list(self._pitch.values())),
        }
        arrays["digest"] = np.array(_digest_of(arrays))
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".partial", delete=False) as f:
            try:
                np.savez(f, **arrays)
                f.close()
                os.replace(f.name, path)
            finally:  # a full disk: no partial file left behind
                Path(f.name).unlink(missing_ok=True)

    @classmethod
    def load(cls, font: str, path: Path) -> GlyphSheet:
        """The sheet saved at ``path``, checked: a file damaged in any way (its arrays
        not those whose SHA-256 was saved with them) raises ValueError, and is drawn
        again by :func:`sheet`."""
        names = ("chars", "counts", "points", "advance_chars", "advances", "spacings", "pitches")
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in names}
            if str(data["digest"]) != _digest_of(arrays):
                raise ValueError("the cached sheet is damaged")
        ends = np.cumsum(arrays["counts"])
        points = np.split(arrays["points"], ends[:-1])
        outline = dict(zip(arrays["chars"].tolist(), points))
        advance = dict(zip(arrays["advance_chars"].tolist(), arrays["advances"].tolist()))
        pitch = dict(zip(arrays["spacings"].tolist(), arrays["pitches"].tolist()))
        if set(outline) | {" "} != set(COMPOSABLE + " ") or set(advance) != set(outline) | {" "}:
            raise ValueError("the cached sheet does not have every character")
        return cls(font, advance, outline, pitch)


def _digest_of(arrays: dict[str, np.ndarray]) -> str:
    """SHA-256 of a sheet's arrays (names, types, shapes and bytes), in a fixed order."""
    h = hashlib.sha256()
    for name in sorted(k for k in arrays if k != "digest"):
        a = np.ascontiguousarray(arrays[name])
        h.update(f"{name}|{a.dtype.str}|{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


@contextmanager
def _wide_canvas():
    with (
        tempfile.TemporaryDirectory(prefix="glyph-sheets-") as folder,
        tempconfig({"pixel_width": 3840, "pixel_height": 2160, "text_dir": folder}),
    ):
        yield


_SHEETS: dict[str, GlyphSheet] = {}


def sheet(font: str) -> GlyphSheet:
    """The glyph sheet of ``font``: from memory, else from the disk cache, else drawn."""
    if font not in _SHEETS:
        path = cache_path(font)
        try:
            _SHEETS[font] = GlyphSheet.load(font, path)
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            _SHEETS[font] = GlyphSheet.draw(font)
            try:
                _SHEETS[font].save(path)
            except OSError:
                pass  # a read-only home: draw the sheet in every process
    return _SHEETS[font]


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "attention-visually-explained"


def cache_path(font: str) -> Path:
    import manim
    import manimpango

    key = json.dumps(
        [FORMAT, font, COMPOSABLE, SHEET_SIZE, LINE_SPACINGS, manim.__version__]
        + [manimpango.__version__, _installed_fonts()]
    )
    digest = hashlib.sha256(key.encode()).hexdigest()[:20]
    return cache_dir() / f"glyphs-{digest}.npz"


def _installed_fonts() -> str:
    """Every font file fontconfig knows, with its version and size: a new or updated
    font (also one Pango falls back to) gives new sheets."""
    try:
        listing = subprocess.run(
            ["fc-list", "--format", "%{file}|%{fontversion}\n"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ""
    files = []
    for line in sorted(set(listing.splitlines())):
        name = line.split("|")[0]
        try:
            files.append(f"{line}|{os.path.getsize(name)}")
        except OSError:
            files.append(line)
    return hashlib.sha256("\n".join(files).encode()).hexdigest()
