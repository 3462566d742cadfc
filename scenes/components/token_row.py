"""A sentence as a row of token boxes of equal height, tinted by role.

Example::

    class Tokens(Scene):
        def construct(self):
            row = TokenRow(["a", "fluffy", "creature"], ["det", "adj", "noun"])
            self.play(row.create())
            self.play(row.highlight([1]))

A long sentence is first scaled down (to ``min_scale`` of ``font_size``); when it
still does not fit in ``max_width``, the row shows a window of consecutive tokens
around ``focus`` with "…" where tokens are left out (:attr:`TokenRow.shown`).
"""

from __future__ import annotations

from collections.abc import Sequence

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Animation,
    FadeIn,
    LaggedStart,
    ManimColor,
    RoundedRectangle,
    Text,
    VGroup,
)

from . import palette
from .animations import together
from .labels import ComposedText, literal

ELLIPSIS = "\u2026"
FILL = 0.25  # fill opacity of a box's role tint


class TokenRow(VGroup):
    """Tokens in boxes of equal height, tinted by :func:`palette.role_tint`.

    Parameters
    ----------
    words
        The token texts (drawn literally, never as markup).
    roles
        One role per token (``None`` or missing: a neutral box).
    font_size
        Font size of the labels before any scaling down.
    max_width
        Widest the row may be on screen.
    min_scale
        Smallest scaling allowed before the row switches to a window.
    focus
        Token that must stay visible in a window (default: the last token).
    max_tokens
        Most tokens shown at once (default: as many as fit).
    pairs
        ``(i, j)`` token pairs a window should show whole (e.g. adjective and noun): of
        the windows that fit, the one that shows the most of them, then the one with
        ``focus``, nearest to it.
    focus_first
        With ``pairs``: of the windows with ``focus``, the one showing the most pairs
        (a chapter whose later beats need the focus in view).
    buff
        Space between boxes.
    """

    def __init__(
        self,
        words: Sequence[str],
        roles: Sequence[str | None] | None = None,
        *,
        font_size: float = palette.LARGE,
        max_width: float = 13.0,
        min_scale: float = 0.7,
        focus: int | None = None,
        max_tokens: int | None = None,
        pairs: Sequence[tuple[int, int]] = (),
        focus_first: bool = False,
        buff: float = 0.12,
    ) -> None:
        super().__init__()
        if not words:
            raise ValueError("a token row needs at least one token")
        self.words = list(words)
        self.roles = list(roles) if roles is not None else [None] * len(words)
        self.font_size = font_size
        self.buff = buff
        pad = 0.12 * font_size / 28
        self._height = literal("Ay", font_size=font_size).height + 2 * pad
        tokens = [self._token(i, pad) for i in range(len(words))]
        focus = len(words) - 1 if focus is None else focus
        start, stop = self._window(
            tokens, max_width / min_scale, focus, max_tokens, pairs, focus_first
        )
        self.shown = range(start, stop)
        self._tokens = {i: tokens[i] for i in self.shown}
        self.ellipses = VGroup()
        parts: list[VGroup | Text] = []
        if start > 0:
            parts.append(self._ellipsis())
        parts += [self._tokens[i] for i in self.shown]
        if stop < len(words):
            parts.append(self._ellipsis())
        self.add(*parts)
        self.arrange(RIGHT, buff=buff)
        if self.width > max_width:
            self.scale_to_fit_width(max_width)

    @property
    def windowed(self) -> bool:
        """True when some tokens are left out of the row."""
        return len(self.shown) < len(self.words)

    def _token(self, i: int, pad: float) -> VGroup:
        label = literal(self.words[i], font_size=self.font_size)
        tint = palette.role_tint(self.roles[i])
        box = RoundedRectangle(
            corner_radius=0.08,
            width=max(label.width + 2 * pad, 0.8 * self._height),
            height=self._height,
            stroke_color=tint,
            stroke_width=2,
            fill_color=tint,
            fill_opacity=FILL,
        )
        label.move_to(box)
        if isinstance(label, ComposedText):  # on the line "Ay" stands on when centred:
            # a comma hangs low and a full stop sits on the line, as in the sentence
            line = literal("Ay", font_size=self.font_size).move_to(box).get_baseline()
            label.shift(UP * (line - label.get_baseline()))
        return VGroup(box, label)

    def _ellipsis(self) -> Text:
        mark = literal(ELLIPSIS, font_size=self.font_size, color=palette.DIM_TEXT)
        self.ellipses.add(mark)
        return mark

    def _window(
        self,
        tokens: list[VGroup],
        width: float,
        focus: int,
        most: int | None,
        pairs: Sequence[tuple[int, int]] = (),
        focus_first: bool = False,
    ) -> tuple[int, int]:
        """The longest run of tokens around ``focus`` that fits in ``width``; with
        ``pairs``, the run showing the most of them whole (:meth:`_best_window`)."""
        widths = [t.width + self.buff for t in tokens]
        most = len(tokens) if most is None else most
        if sum(widths) <= width and len(tokens) <= most:
            return 0, len(tokens)
        room = width - 2 * (literal(ELLIPSIS, font_size=self.font_size).width + self.buff)
        if pairs:
            return self._best_window(widths, room, focus, most, pairs, focus_first)
        start, stop = focus, focus + 1
        used = widths[focus]
        while True:
            grew = False
            for candidate in (start - 1, stop):  # grow left first, then right
                fits = used + widths[candidate] <= room if 0 <= candidate < len(tokens) else False
                if fits and stop - start < most:
                    used += widths[candidate]
                    start, stop = min(start, candidate), max(stop, candidate + 1)
                    grew = True
            if not grew:
                return start, stop

    @staticmethod
    def _best_window(widths, room, focus, most, pairs, focus_first=False) -> tuple[int, int]:
        """Of the longest runs that fit ``room`` from each start, the one showing the most
        whole ``pairs``; ties: the one with ``focus``, then the one with the most tokens
        (a run from near the end is short), then the one whose middle is nearest it.
        ``focus_first``: only runs with ``focus`` count, when there are any, and of those
        the ones keeping the focus's own pairs whole."""
        best, best_key = None, None
        for start in range(len(widths)):
            stop, used = start, 0.0
            while stop < len(widths) and stop - start < most and used + widths[stop] <= room:
                used += widths[stop]
                stop += 1
            if stop == start:
                continue
            inside = [start <= i < stop and start <= j < stop for i, j in pairs]
            whole = sum(inside)
            own = sum(w for w, pair in zip(inside, pairs) if focus in pair)  # the focus's own
            key = (
                focus_first and start <= focus < stop,
                focus_first and own,
                whole,
                start <= focus < stop,
                stop - start,
                -abs((start + stop - 1) / 2 - focus),
            )
            if best_key is None or key > best_key:
                best, best_key = (start, stop), key
        return best if best is not None else (focus, focus + 1)

    # -- getters ---------------------------------------------------------------------
    def get_token(self, i: int) -> VGroup:
        """Box and label of token ``i`` (an index into the whole sentence)."""
        if i not in self._tokens:
            raise KeyError(f"token {i} is outside the shown window {self.shown}")
        return self._tokens[i]

    def get_box(self, i: int) -> RoundedRectangle:
        return self.get_token(i)[0]

    def get_label(self, i: int) -> Text:
        return self.get_token(i)[1]

    def same_line(self, i: int, j: int) -> bool:
        """Whether tokens ``i`` and ``j`` stand on the same line: in a row, always (as
        :meth:`TokenParagraph.same_line` asks of a paragraph)."""
        return True

    def get_tokens(self) -> list[VGroup]:
        """The shown tokens, left to right."""
        return [self._tokens[i] for i in self.shown]

    def box_height(self) -> float:
        """Height of every box as drawn (after any scaling)."""
        return self.get_box(self.shown[0]).height

    # -- animations ------------------------------------------------------------------
    def create(self, lag_ratio: float = 0.15) -> Animation:
        """Tokens appear one after another, left to right."""
        parts = [FadeIn(p, shift=0.2 * DOWN) for p in self.submobjects]
        return LaggedStart(*parts, lag_ratio=lag_ratio)

    def highlight(
        self, indices: Sequence[int], color: ManimColor = palette.QUERY, width: float = 5
    ) -> Animation:
        """Thicker, coloured outlines on the given (shown) tokens."""
        return together(
            [self.get_box(i).animate.set_stroke(color, width) for i in indices if i in self.shown]
        )

    def unhighlight(self) -> Animation:
        """Every box back to its role tint."""
        return together(
            [
                self.get_box(i).animate.set_stroke(palette.role_tint(self.roles[i]), 2)
                for i in self.shown
            ]
        )

    def dim_except(self, keep: Sequence[int], opacity: float = 0.3) -> Animation:
        """Fade every shown token except ``keep`` to ``opacity`` of its strength."""
        anims = []
        for i in self.shown:
            if i in keep:
                continue
            box, label = self.get_token(i)
            anims += [
                box.animate.set_fill(opacity=FILL * opacity).set_stroke(opacity=opacity),
                label.animate.set_opacity(opacity),
            ]
        return together(anims)

    def restore(self) -> Animation:
        """Every token back to full strength (boxes keep their light fill)."""
        anims = []
        for i in self.shown:
            box, label = self.get_token(i)
            anims += [
                box.animate.set_fill(opacity=FILL).set_stroke(opacity=1),
                label.animate.set_opacity(1),
            ]
        return together(anims)


class TokenParagraph(VGroup):
    """A long text as several token rows, broken into lines that fit ``width``.

    Example::

        passage = TokenParagraph(trace.words, roles, width=12)
        self.play(passage.create())
        box = passage.get_box(trace.n - 1)

    Parameters
    ----------
    words, roles
        As for :class:`TokenRow`.
    width
        Widest a line may be.
    font_size
        Font size of every line.
    pairs
        ``(i, j)`` token pairs a line break should not separate (when the first of them
        is not the line's first token).
    """

    def __init__(
        self,
        words: Sequence[str],
        roles: Sequence[str | None] | None = None,
        *,
        width: float = 12.5,
        font_size: float = palette.BODY,
        line_buff: float = 0.25,
        pairs: Sequence[tuple[int, int]] = (),
    ) -> None:
        super().__init__()
        roles = list(roles) if roles is not None else [None] * len(words)
        gap = 0.12 + 0.24 * font_size / 28  # box padding plus the space between boxes
        widths = [literal(w, font_size=font_size).width + gap for w in words]
        self._line_of: dict[int, tuple[TokenRow, int]] = {}
        start = 0
        while start < len(words):
            stop, used = start, 0.0
            while stop < len(words) and (stop == start or used + widths[stop] <= width):
                used += widths[stop]
                stop += 1
            # a line ends before a pair it would cut ("warm | wooden table"), if it can
            cut = [i for i, j in pairs if start < i < stop <= j < len(words)]
            stop = min(cut) if cut else stop
            line = TokenRow(
                words[start:stop], roles[start:stop], font_size=font_size, max_width=width
            )
            for k in range(start, stop):
                self._line_of[k] = (line, k - start)
            self.add(line)
            start = stop
        self.arrange(DOWN, buff=line_buff, aligned_edge=LEFT)

    def get_token(self, i: int) -> VGroup:
        """Box and label of token ``i`` of the whole text."""
        line, k = self._line_of[i]
        return line.get_token(k)

    def same_line(self, i: int, j: int) -> bool:
        """Whether tokens ``i`` and ``j`` stand on the same line."""
        return self._line_of[i][0] is self._line_of[j][0]

    def get_box(self, i: int) -> RoundedRectangle:
        return self.get_token(i)[0]

    @property
    def shown(self) -> range:
        """Every token: a paragraph leaves none out."""
        return range(len(self._line_of))

    def create(self, lag_ratio: float = 0.3) -> Animation:
        """Lines appear one after another."""
        return LaggedStart(*[line.create(0.05) for line in self.submobjects], lag_ratio=lag_ratio)

    def highlight(
        self, indices: Sequence[int], color: ManimColor = palette.QUERY, width: float = 5
    ) -> Animation:
        """Thicker, coloured outlines on the given tokens (as :meth:`TokenRow.highlight`)."""
        return together([self.get_box(i).animate.set_stroke(color, width) for i in indices])


ROLE_NAMES = {  # what each role tint stands for, in the key's order
    "adj": "adjective",
    "noun": "noun",
    "verb": "verb",
    "pron": "pronoun",
}


def role_key(roles: Sequence[str | None], font_size: float = palette.LABEL) -> VGroup:
    """One line naming the box tints that ``roles`` use (names count as nouns, helping
    verbs as verbs; every other role is "other", grey), each beside a box of its tint."""
    tints = {palette.role_tint(r).to_hex() for r in roles}
    entries = [(palette.role_tint(r), name) for r, name in ROLE_NAMES.items()]
    if palette.NEUTRAL.to_hex() in tints:
        entries.append((palette.NEUTRAL, "other"))
    key = VGroup()
    for tint, name in entries:
        if tint.to_hex() not in tints:
            continue
        box = RoundedRectangle(
            corner_radius=0.05, width=0.32, height=0.24, stroke_color=tint, stroke_width=2
        ).set_fill(tint, opacity=FILL)
        words = literal(name, font_size=font_size, color=palette.DIM_TEXT)
        key.add(VGroup(box, words).arrange(RIGHT, buff=0.12))
    return key.arrange(RIGHT, buff=0.45)
