"""A sentence as a tokenizer cut it: one box per token, the pieces of one word touching.

A real model's byte-level tokenizer cuts words into pieces (``' ver'``, ``'d'``, ``'ant'``);
a piece that starts with a space starts a new word. :class:`PieceRow` draws each piece in a
box of equal height, glues the pieces of a word together, leaves a gap between words and
wraps onto more lines when the row would be too wide. The lesson's word tokens draw the
same way (every token a word of its own), so the two cuts can stand one above the other.

Example::

    class Pieces(Scene):
        def construct(self):
            self.add(PieceRow(["a", " ver", "d", "ant", " forest"]))
"""

from __future__ import annotations

from collections.abc import Sequence

from manim import DOWN, LEFT, RIGHT, Line, RoundedRectangle, VGroup

from . import palette
from .labels import ComposedText, literal

_SHOWN_WHITESPACE = {" ": "␣", "\n": "↵", "\t": "⇥", "\r": "↵"}


def piece_text(token: str) -> str:
    """What a token looks like on screen: its one leading space dropped (the gap between
    words shows it), any other whitespace drawn as a visible symbol."""
    body = token[1:] if token.startswith(" ") and token.strip() else token
    return "".join(_SHOWN_WHITESPACE.get(ch, ch) for ch in body)


def word_starts(tokens: Sequence[str]) -> list[bool]:
    """Whether each token starts a new word: the first token, and every token that begins
    with whitespace."""
    return [i == 0 or token[:1].isspace() for i, token in enumerate(tokens)]


def word_spans(tokens: Sequence[str]) -> list[tuple[int, int]]:
    """``(start, end)`` token positions of each word, ``end`` exclusive."""
    starts = [i for i, start in enumerate(word_starts(tokens)) if start]
    return list(zip(starts, [*starts[1:], len(tokens)]))


class _BaselineText:
    """Plain text plus where its baseline is, measured on a capital drawn before it."""

    def __init__(self, text: str, font_size: float) -> None:
        plain = literal(text, font_size=font_size)
        if isinstance(plain, ComposedText):  # it knows its baseline
            self.text = plain
            self.baseline = plain.get_baseline()
            self.cap = literal("A", font_size=font_size).height
            self.ascent = plain.get_top()[1] - self.baseline
            self.descent = self.baseline - plain.get_bottom()[1]
            return
        # the capital makes the line left-to-right, so it is leftmost
        probe = literal("A" + text, font_size=font_size)
        capital = min(probe, key=lambda glyph: glyph.get_left()[0])
        probe.remove(capital)
        self.text = probe
        self.baseline = capital.get_bottom()[1]
        self.cap = capital.height
        self.ascent = probe.get_top()[1] - self.baseline
        self.descent = self.baseline - probe.get_bottom()[1]


class PieceRow(VGroup):
    """One box per token, pieces of a word touching, words apart; wraps to ``max_width``.

    Parameters
    ----------
    tokens
        Display strings (a real tokenizer's, with leading spaces, or plain words).
    starts
        Which tokens start a word (default: :func:`word_starts`; pass all ``True`` for
        word tokens).
    max_width
        Lines wrap before they grow wider than this.
    font_size
        Font size of the pieces.
    fill
        Box colour.
    """

    def __init__(
        self,
        tokens: Sequence[str],
        starts: Sequence[bool] | None = None,
        max_width: float = 12.5,
        font_size: float = palette.BODY,
        fill=palette.NEUTRAL,
    ) -> None:
        super().__init__()
        self.tokens = tuple(tokens)
        self.starts = list(starts) if starts is not None else word_starts(self.tokens)
        labels = [_BaselineText(piece_text(t), font_size) for t in self.tokens]
        reach = max(max(t.ascent - t.cap / 2, t.descent + t.cap / 2) for t in labels)
        height = 2 * reach + 0.2 * font_size / 24
        self.boxes = [self._box(label, height, fill) for label in labels]
        self.add(*self.boxes)
        self._arrange(height, font_size, max_width)

    @staticmethod
    def _box(label: _BaselineText, height: float, fill) -> VGroup:
        box = RoundedRectangle(
            corner_radius=0.06,
            width=label.text.width + 0.35 * height,
            height=height,
            stroke_color=palette.TEXT,
            stroke_width=1.2,
            fill_color=fill,
            fill_opacity=1,
        )
        # The cap height sits centred in the box, so every piece shares one baseline.
        baseline = box.get_center()[1] - label.cap / 2
        label.text.move_to([box.get_x(), label.text.get_y() + baseline - label.baseline, 0])
        return VGroup(box, label.text)

    def _words(self) -> list[list[VGroup]]:
        words: list[list[VGroup]] = []
        for box, start in zip(self.boxes, self.starts):
            if start or not words:
                words.append([])
            words[-1].append(box)
        return words

    def _arrange(self, height: float, font_size: float, max_width: float) -> None:
        gap = 0.28 * font_size / 24
        x = y = 0.0
        for word in self._words():
            width = sum(box.width for box in word)
            if x > 0 and x + width > max_width:
                x, y = 0.0, y - height - gap
            for box in word:
                if x > 0 and x + box.width > max_width:  # a word wider than a whole line
                    x, y = 0.0, y - height - gap
                box.move_to([x + box.width / 2, y, 0])
                x += box.width
            x += gap
        self.center()

    def get_box(self, index: int) -> VGroup:
        """The box (rectangle and text) of token ``index``."""
        return self.boxes[index]

    def underline(self, start: int, end: int, color=palette.QUERY) -> Line:
        """A line under tokens ``start .. end - 1`` (on one line of the row: the first's)."""
        first, last = self.boxes[start], self.boxes[end - 1]
        if abs(first.get_y() - last.get_y()) > 1e-6:
            last = max(
                (b for b in self.boxes[start:end] if abs(b.get_y() - first.get_y()) < 1e-6),
                key=lambda b: b.get_x(),
            )
        left = first.get_corner(DOWN + LEFT) + DOWN * 0.08
        right = last.get_corner(DOWN + RIGHT) + DOWN * 0.08
        return Line(left, right, color=color, stroke_width=4)


__all__ = ["PieceRow", "piece_text", "word_spans", "word_starts"]
