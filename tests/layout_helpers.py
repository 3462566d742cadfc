"""Where the labels are: the bounding boxes of the visible text of a scene, taken each
time the screen stands still (before every ``play`` and at the end), and the pairs that
overlap or leave the frame.

A label is any text a chapter draws: ``literal`` text (``Text`` or the composed kind)
and Typst formulas. A label counts as visible while any of its glyphs has a fill
opacity above ``VISIBLE``. Boxes are the glyphs' own extents, so labels set apart by
manim's usual ``buff`` do not touch.

Example::

    shots = record_layout(AttentionPattern)
    problems = [p for shot in shots for p in shot.problems()]
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
from manim import (
    DL,
    UR,
    Arrow,
    BackgroundRectangle,
    MathTypst,
    Mobject,
    Rectangle,
    Scene,
    VGroup,
    config,
    tempconfig,
)
from render_helpers import source_of

from scenes.components.embedding_space import crosses
from scenes.components.labels import TEXT_TYPES

LABEL_TYPES = (*TEXT_TYPES, MathTypst)
VISIBLE = 0.05  # fill opacity from which a glyph is seen
OVERLAP = 0.02  # frame units two boxes may share along both axes (anti-aliasing)
MARGIN = 0.2  # how far inside the frame a label must stay

# Deliberate overlays: (chapter number, text of one label, text of the other) that may
# overlap, with the reason. Texts are compared without spaces, as manim stores them.
ALLOWED: dict[tuple[int, str, str], str] = {}

FAST = {
    "pixel_width": 192,
    "pixel_height": 108,
    "frame_rate": 1,
    "disable_caching": True,
    "write_to_movie": False,
    "save_last_frame": False,
    "skip_animations": True,
    "verbosity": "ERROR",
    "progress_bar": "none",
}


@dataclass(frozen=True)
class Box:
    text: str
    left: float
    right: float
    bottom: float
    top: float

    def overlap(self, other: Box) -> float:
        """The smaller of the shared width and the shared height (<= 0: apart)."""
        width = min(self.right, other.right) - max(self.left, other.left)
        height = min(self.top, other.top) - max(self.bottom, other.bottom)
        return min(width, height)

    def outside(self, half_width: float, half_height: float) -> float:
        """How far the box reaches past the frame's edges (<= 0: inside)."""
        return max(
            -half_width - self.left,
            self.right - half_width,
            -half_height - self.bottom,
            self.top - half_height,
        )


@dataclass(frozen=True)
class Segment:
    """An arrow's shaft, from its start to the tip of its head."""

    start: tuple[float, float]
    end: tuple[float, float]

    def crosses(self, box: Box) -> bool:
        """Whether the segment passes through ``box`` shrunk by OVERLAP on every side
        (the embedding space's own test, exact segment-box clipping)."""
        lo = np.array([box.left + OVERLAP, box.bottom + OVERLAP])
        hi = np.array([box.right - OVERLAP, box.top - OVERLAP])
        return crosses(lo, hi, np.array(self.start), np.array(self.end))


@dataclass(frozen=True)
class Equation:
    """Columns of numbers drawn as ``column + column ... = column``: their entries as the
    reader sees them."""

    terms: tuple[np.ndarray, ...]
    total: np.ndarray
    decimals: int

    def adds_up(self) -> bool:
        """Entry by entry, the drawn terms add up to the drawn total."""
        drawn = np.round(np.sum(self.terms, axis=0), self.decimals)
        return bool(np.allclose(drawn, self.total, atol=10.0**-self.decimals / 10))


@dataclass
class Shot:
    """The labels, arrows and drawn equations on screen at one still moment of a chapter."""

    chapter: int
    beat: str
    boxes: list[Box] = field(default_factory=list)
    arrows: list[Segment] = field(default_factory=list)
    equations: list[Equation] = field(default_factory=list)

    def problems(self) -> list[str]:
        found = []
        half_w, half_h = config.frame_width / 2 - MARGIN, config.frame_height / 2 - MARGIN
        for box in self.boxes:
            past = box.outside(half_w, half_h)
            if past > OVERLAP:
                found.append(f"ch{self.chapter} [{self.beat}] {box.text!r} leaves the frame")
        for n, a in enumerate(self.boxes):
            for b in self.boxes[n + 1 :]:
                if a.overlap(b) <= OVERLAP or _allowed(self.chapter, a.text, b.text):
                    continue
                found.append(f"ch{self.chapter} [{self.beat}] {a.text!r} overlaps {b.text!r}")
        for box in self.boxes:
            if any(arrow.crosses(box) for arrow in self.arrows):
                found.append(
                    f"ch{self.chapter} [{self.beat}] an arrow or a frame's edge runs through "
                    f"{box.text!r}"
                )
        for equation in self.equations:
            if not equation.adds_up():
                terms = " + ".join(str(list(t)) for t in equation.terms)
                found.append(
                    f"ch{self.chapter} [{self.beat}] {terms} = {list(equation.total)} does not "
                    "add up as drawn"
                )
        return found


def _allowed(chapter: int, a: str, b: str) -> bool:
    return (chapter, a, b) in ALLOWED or (chapter, b, a) in ALLOWED


def _visible(mob: Mobject) -> bool:
    return any(part.get_fill_opacity() > VISIBLE for part in mob.get_family() if len(part.points))


def label_boxes(scene: Scene) -> list[Box]:
    """The boxes of the visible labels on ``scene`` (each label once)."""
    boxes: dict[int, Box] = {}

    def visit(mob: Mobject) -> None:
        if isinstance(mob, LABEL_TYPES):
            parts = [
                p.points
                for p in mob.get_family()
                if len(p.points) and not isinstance(p, BackgroundRectangle)
            ]
            if parts and id(mob) not in boxes and _visible(mob):
                points = np.vstack(parts)[:, :2]
                (left, bottom), (right, top) = points.min(0), points.max(0)
                text = getattr(mob, "text", None) or "formula"
                boxes[id(mob)] = Box(str(text), left, right, bottom, top)
            return
        for sub in mob.submobjects:
            visit(sub)

    for mob in scene.mobjects:
        visit(mob)
    return list(boxes.values())


def arrow_segments(scene: Scene) -> list[Segment]:
    """The shafts of the visible arrows on ``scene``, and the edges of its visible
    frames and boxes (rectangles): a label may sit inside a box or outside it, never
    under one of its edges."""
    found: list[Segment] = []

    def visit(mob: Mobject) -> None:
        if isinstance(mob, Arrow):
            if mob.get_stroke_opacity() > VISIBLE and len(mob.points):
                start, end = mob.get_start()[:2], mob.get_end()[:2]
                found.append(Segment(tuple(start), tuple(end)))
            return
        if isinstance(mob, Rectangle) and not isinstance(mob, BackgroundRectangle):
            if mob.get_stroke_opacity() > VISIBLE and mob.get_stroke_width() > 0:
                (x0, y0), (x1, y1) = mob.get_corner(DL)[:2], mob.get_corner(UR)[:2]
                corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
                for a, b in zip(corners, corners[1:] + corners[:1]):
                    found.append(Segment(a, b))
        for sub in mob.submobjects:
            visit(sub)

    for mob in scene.mobjects:
        visit(mob)
    return found


def drawn_equations(scene: Scene) -> list[Equation]:
    """Every visible ``column + column ... = column`` of embedding columns on ``scene``:
    columns and "+"/"=" signs that stand on one line (their centres within ROW_TOLERANCE
    of each other), read left to right, wherever they sit in the scene's groups."""
    from scenes.components.embedding_column import EmbeddingColumn

    parts: list[Mobject] = []

    def visit(mob: Mobject) -> None:
        if isinstance(mob, EmbeddingColumn):
            if _visible(mob):
                parts.append(mob)
            return
        if isinstance(mob, TEXT_TYPES):
            if getattr(mob, "text", "") in ("+", "=") and _visible(mob):
                parts.append(mob)
            return
        for sub in mob.submobjects:
            visit(sub)

    for mob in scene.mobjects:
        visit(mob)
    # columns a chapter keeps (self.columns, self.sum_columns, ...): their animations may
    # have put their parts on screen rather than the columns themselves
    on_screen = {id(m) for m in scene.get_mobject_family_members()}
    for value in vars(scene).values():
        kept = value.values() if isinstance(value, dict) else value
        for column in kept if isinstance(kept, list | tuple | VGroup) else [kept]:
            if (
                isinstance(column, EmbeddingColumn)
                and all(column is not p for p in parts)
                and any(id(m) in on_screen for m in column.get_family()[1:])
                and _visible(column)
            ):
                parts.append(column)
    columns = [p for p in parts if isinstance(p, EmbeddingColumn)]
    found: list[Equation] = []
    for anchor in columns:  # one line per column that starts one
        y = anchor.get_brackets().get_y()
        line = sorted(
            (p for p in parts if abs(_middle(p) - y) < ROW_TOLERANCE), key=lambda p: p.get_x()
        )
        signs = [None if isinstance(p, EmbeddingColumn) else p.text for p in line]
        at = line.index(anchor)
        if at and signs[at - 1] == "+":
            continue  # not the first term of its equation
        terms, k = [anchor], at + 1
        while k + 1 < len(line) and signs[k] == "+" and signs[k + 1] is None:
            terms.append(line[k + 1])
            k += 2
        if k + 1 < len(line) and signs[k] == "=" and signs[k + 1] is None:
            total = line[k + 1]
            drawn = tuple(t.displayed for t in terms)
            found.append(Equation(drawn, total.displayed, total.decimals))
    return found


ROW_TOLERANCE = 0.3  # frame units: signs and columns of one drawn line


def _middle(mob: Mobject) -> float:
    """Where a line of an equation runs: a column's brackets' centre, a sign's centre."""
    from scenes.components.embedding_column import EmbeddingColumn

    return float(mob.get_brackets().get_y() if isinstance(mob, EmbeddingColumn) else mob.get_y())


class Shots(list):
    """The shots of one run, and what its scene said: ``narration`` ((beat, text), in
    order), ``captioned_beats`` and ``cues`` ((subtitle text, seconds), in order)."""

    narration: list[tuple[str, str]]
    captioned_beats: set[str]
    cues: list[tuple[str, float]]


# The sentences every chapter is recorded for (the layout test, the spoken narration)
SENTENCES = {
    "default": None,
    "long": "the quick brown fox jumps over the lazy dog near the old red barn while the "
    "farmer's tired children watched",
    "short": "cats sleep",
}


@functools.cache
def recorded(number: int, sentence: str) -> Shots:
    """Chapter ``number`` recorded for one of :data:`SENTENCES`, once per test session;
    the default at 5 frames a second, so that subtitle times come in 0.2 s steps."""
    from scenes.order import CHAPTERS

    chapter = next(c for c in CHAPTERS if c.number == number)
    source = source_of(SENTENCES[sentence])
    rate = {"frame_rate": 5} if sentence == "default" else {}
    return record_layout(chapter.load(), source=source, **rate)


def record_layout(scene_cls, source=None, **overrides) -> Shots:
    """Run ``scene_cls`` (for the example ``source``: by default the default one) with
    animations skipped (positions as in a real render) and return the labels at every
    still moment: before each ``play`` and at the end."""
    shots = Shots()

    class Recording(scene_cls):
        def play(self, *args, **kwargs):
            self._shoot()
            return super().play(*args, **kwargs)

        def _shoot(self) -> None:
            beat = self.narration[-1][0] if getattr(self, "narration", None) else "title"
            shots.append(
                Shot(
                    self.number,
                    beat,
                    label_boxes(self),
                    arrow_segments(self),
                    drawn_equations(self),
                )
            )

        def tear_down(self) -> None:
            self._shoot()
            super().tear_down()

    Recording.__name__ = scene_cls.__name__
    with tempconfig({**FAST, **overrides}):
        scene = Recording(source=source or source_of())
        scene.render()
    shots.narration = list(scene.narration)
    shots.captioned_beats = set(getattr(scene, "captioned_beats", ()))
    shots.cues = [
        (cue.content, (cue.end - cue.start).total_seconds())
        for cue in scene.renderer.file_writer.subcaptions
    ]
    return shots
