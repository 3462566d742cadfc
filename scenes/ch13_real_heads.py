"""Chapter 13 (bonus): what the heads of a real pretrained model do with the sentence.

Everything here is read from one forward pass of SmolLM2-135M-Instruct (4-bit) over the
chosen example's sentence (:func:`attention_math.real_model.run_sentence`): the tokens as
its tokenizer cuts them, all 30 x 9 attention patterns, the attention sink, and a few heads
picked automatically by the head finder, shown up close and next to the lesson's designed
adjective -> noun head. If the model is not installed, the scene stops with the core's
one-line error (how to install it).

    manim -pql scenes/ch13_real_heads.py RealHeads
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    Rectangle,
    ReplacementTransform,
    Square,
    Transform,
    VGroup,
)

from attention_math.errors import InputError
from attention_math.lexicon import load_lexicon
from attention_math.real_model import (
    CAPTION,
    HeadScore,
    RealAttention,
    best_head,
    run_sentence,
)
from attention_math.real_model.head_finder import (
    behaviour_scores,
    distinct_best,
    first_token_share,
    parked_share,
)
from attention_math.real_model.tokenizer import punctuation_only, whole_characters
from attention_math.text import without_inline_roles
from scenes.chapter import ChapterScene
from scenes.components import entries, palette
from scenes.components.fade_in_place import FadeInPlace, FadeOutInPlace
from scenes.components.head_gallery import MAX_CELLS, HeadGallery, weight_color
from scenes.components.labels import literal, number, paragraph
from scenes.components.pattern_window import PatternWindow
from scenes.components.piece_row import PieceRow, piece_text, word_spans
from scenes.focus import plural, quote, quoted
from scenes.lesson import CAPTION_BAND, FRAME_X, FRAME_Y, HEADING_BAND, STAGE, Region
from scenes.settings import plain_manim_exit

MIN_TOKENS = 4  # below this, heads have too little to choose from to be told apart
LEGEND_WEIGHTS = (0.0, 0.05, 0.25, 0.5, 1.0)  # swatches of the gallery's brightness scale
BROAD_SHARE = 0.05  # a share counted as "reading" an earlier token in the broad head's example
SINK_SHARE = 0.5  # a "sink head" puts more than this share of its weight on the first token
PANEL = Region(left=0.45, right=6.9, top=FRAME_Y - 0.3, bottom=-FRAME_Y)  # beside a zoomed grid
GALLERY_MARGIN = 0.25  # from the frame's sides to the gallery's labels
MAP_WIDTH = 5.6  # the gallery, shrunk to a map of where the zoomed head sits
CONTRAST_GRID = 4.6  # height of the cells of each grid in the contrast
# The heads to zoom into: (behaviour, largest first-token share allowed), in order.
ZOOMS = (("previous_token", 1.0), ("broad", 0.5), ("current_token", 1.0))
BEHAVIOUR_NAMES = {
    "previous_token": "looks at the previous token",
    "broad": "reads many earlier tokens",
    "current_token": "looks at the token itself",
}


WHY_SINK = (
    "Why? Each column must sum to 1, so a head with nothing to read here parks its weight "
    "on the one token every query can see."
)


def quoted_piece(token: str) -> str:
    """A model token as it looks on screen (see ``piece_text``), quoted like a word."""
    return quote(piece_text(token))


def behaviour_fact(behaviour: str, score: HeadScore) -> str:
    """What a zoomed head does, in numbers, as the chapter says it (and the explorer
    page quotes it)."""
    if behaviour == "previous_token":
        return (
            f"on average {score.previous_token:.0%} of each later token's weight goes to "
            "the token just before it"
        )
    if behaviour == "current_token":
        return f"on average {score.current_token:.0%} of each later token's weight stays on itself"
    return (
        f"on average {score.first_token:.0%} of each later token's weight goes to the "
        f"first token and {score.current_token:.0%} to itself; it spreads the rest over "
        "the tokens between"
    )


@dataclass(frozen=True)
class Reading:
    """How broadly one query reads the earlier tokens a grid draws
    (:func:`broad_reading`)."""

    query: int
    earlier: tuple[int, ...]  # the keys before the query that the grid draws
    keys: tuple[int, ...]  # those given at least BROAD_SHARE, as printed
    weights: tuple[float, ...]  # the printed weight of each key of ``earlier``

    @property
    def most(self) -> float:
        return max(self.weights)


def broad_reading(weights: np.ndarray, query: int, drawn_keys) -> Reading:
    """Which earlier tokens ``query`` reads: every key before it that the grid draws
    (the first token included, the query itself not), counted when its printed weight is
    at least ``BROAD_SHARE``. ``weights`` is ``[query, key]``."""
    earlier = tuple(k for k in drawn_keys if k < query)
    printed = tuple(entries.shown(weights[query, k], 2) for k in earlier)
    keys = tuple(k for k, w in zip(earlier, printed) if w >= BROAD_SHARE)
    return Reading(query, earlier, keys, printed)


def broad_example(reading: Reading, tokens, windowed: bool) -> str:
    """The broad head's example in words: the count, the threshold and the largest weight
    of :func:`broad_reading`, and whether the first token is among those counted."""
    n = len(reading.keys)
    k = len(reading.earlier)
    before = f"the {k} earlier tokens the grid shows" if windowed else f"the {k} tokens before it"
    first = quoted_piece(tokens[0])
    if 0 in reading.keys:
        note = f"the first, {first}, among them"
    else:
        note = f"the first, {first}, gets {reading.weights[reading.earlier.index(0)]:.2f}"
    return (
        f"For example, {quoted_piece(tokens[reading.query])} gives {BROAD_SHARE:.2f} or more "
        f"to {n if n else 'none'} of {before} ({note}), {reading.most:.2f} at most"
    )


def light_up(count: int, total: int) -> str:
    """``Most heads light up`` and the like, for ``count`` of ``total`` heads: most is
    more than half, many more than a fifth."""
    if count == 0:
        return "No head lights up"
    if count == 1:
        return "One head lights up"
    many = "Most" if count > total / 2 else "Many" if count > total / 5 else "Some"
    return f"{many} heads light up"


@dataclass(frozen=True)
class SinkContrast:
    """Where attention that finds nothing goes, in the designed head and in every real
    head: the designed head's share on its sink (:func:`parked_share`), each real head's
    share on the first token (:func:`first_token_share`, the real model has no sink slot);
    and the real head to show beside the designed one: the middle one when the real heads
    are sorted by that share (:func:`sink_contrast`)."""

    designed: float | None  # None when the lesson's sentence has a single word
    real: np.ndarray  # (layers, heads)
    layer: int  # the real head shown
    head: int
    rank: int  # its place from the lowest share, from 1

    @property
    def shown(self) -> float:
        return float(self.real[self.layer, self.head])

    @property
    def more(self) -> int:
        """Real heads whose share, as printed, is above the designed head's."""
        printed = entries.shown_array(self.real, 2)
        return int((printed > entries.shown(self.designed, 2)).sum())

    def compared(self) -> str:
        """How the shown real head's share compares with the designed head's, as printed."""
        real, designed = entries.shown(self.shown, 2), entries.shown(self.designed, 2)
        if real == designed:
            return "as much as the designed head"
        more = "more" if real > designed else "less"
        return f"{more} than the designed head"


def sink_contrast(designed_sink: np.ndarray, real_pattern: np.ndarray) -> SinkContrast:
    """:class:`SinkContrast` of a designed head's ``[query]`` sink weights and real
    ``[layer, head, query, key]`` patterns."""
    designed = parked_share(designed_sink)
    real = first_token_share(real_pattern)  # (layers, heads)
    order = sorted(np.ndindex(real.shape), key=lambda lh: (real[lh], lh))  # lowest first
    middle = (len(order) - 1) // 2
    layer, head = order[middle]
    return SinkContrast(designed, real, int(layer), int(head), middle + 1)


@dataclass(frozen=True)
class SinksSaid:
    """The contrast's words about the two heads' sinks (:func:`sinks_said`)."""

    designed: str  # the designed head's share on its sink
    real: str  # the shown real head's share on the first token
    compared: str  # the narration's comparison
    count: str  # the line that says which real head is shown and how many park more


def sinks_said(sinks: SinkContrast, designed_name: str, first_token: str) -> SinksSaid:
    """What the contrast says about ``sinks``: the designed head's share, the real head's
    (``first_token``: the real model's first token, quoted), how they compare."""
    total = sinks.real.size
    real_said = f"{first_token} gets {sinks.shown:.2f} of each later token's weight"
    chosen = (
        f"On the right, a typical real head, layer {sinks.layer}, head {sinks.head} (the "
        f"middle one of all {total} sorted by this measure)"
    )
    if sinks.designed is None:
        designed_said = "a single word: no later word to average"
        compared = (
            f"With a single word the designed head has nothing to compare. {chosen}: there "
            f"{real_said}."
        )
        count_line = (
            f"Real head shown: layer {sinks.layer}, head {sinks.head}, the middle of {total} "
            "by this average."
        )
    else:
        designed_said = f"its sink gets {sinks.designed:.2f} of each later word's weight"
        compared = (
            f"The designed {designed_name} head parks {sinks.designed:.2f} on its sink, a "
            "slot with no value. The real model has no such slot: its heads park on the "
            f"first token. {chosen}: there {real_said}, {sinks.compared()}. {sinks.more} of "
            f"{total} real heads park more."
        )
        count_line = (
            f"{sinks.more} of {total} real heads park more on the first token than the "
            "designed head on its sink."
        )
    return SinksSaid(designed_said, real_said, compared, count_line)


@dataclass(frozen=True)
class Contrast:
    """What the contrast beat shows and says (:meth:`RealHeads._contrast`)."""

    sinks: SinkContrast
    narration: str
    designed_line: str  # under the designed grid: its share on its sink
    real_line: str  # under the real grid: the same share
    lines: tuple[str, ...]  # under both: the rule, the count, the designed head's job


class RealHeads(ChapterScene):
    number = 13
    title = "Bonus: real heads"

    def setup(self) -> None:
        super().setup()
        try:
            self.run: RealAttention = run_sentence(
                without_inline_roles(self.trace.sentence, load_lexicon())
            )
        except InputError as exc:  # e.g. the model package is not installed
            plain_manim_exit(exc)
            raise
        self.n_layers, self.n_heads, self.n_tokens, _ = self.run.pattern.shape
        self.shape = "triangle" if self.n_tokens > 1 else "square"  # of one head's pattern
        footnote = literal(CAPTION, font_size=palette.NOTE, color=palette.DIM_TEXT)
        self.footnote = CAPTION_BAND.place(footnote, DOWN + RIGHT, buff=0.2)

    def construct(self) -> None:
        self.title_card(subtitle=CAPTION)
        self.model_tokens()
        self.gallery_of_heads()
        if self.n_tokens >= 2:
            self.attention_sink()
        if self.n_tokens < MIN_TOKENS:
            self.too_short()
            return
        self.zoom_into_heads()
        self.contrast_with_lesson()

    # ------------------------------------------------------------------ beats

    def model_tokens(self) -> None:
        words, tokens = self.trace.words, self.run.tokens
        # a word cut into pieces: two pieces or more with more than punctuation in them
        # ("night" + "." is a word and its full stop, not a word in pieces)
        split = [
            (a, b)
            for a, b in word_spans(tokens)
            if sum(not punctuation_only(piece_text(t)) for t in tokens[a:b]) > 1
        ]
        # a word's text from its tokens' bytes: a character cut between tokens (bytes
        # shown as <0xF0>...) comes back whole
        examples = [
            f"{self.run.text(a, b).strip()} = {' + '.join(piece_text(t) for t in tokens[a:b])}"
            for a, b in split[:3]
        ]
        said = f", like {examples[0]}" if examples else ""
        self.beat(
            "tokens",
            f"The lesson cut the sentence into {plural(len(words), 'token')}. A real model, "
            f"{CAPTION}, reads {plural(len(tokens), 'token')}: its tokenizer cuts rarer words "
            f"into pieces{said or ', though here every word is a single token'}.",
        )
        layout = self._token_rows(split, examples)
        heading, lesson_label, lesson_row, real_label, (real_row, marks), note = layout
        self.play(
            FadeInPlace(heading), FadeInPlace(lesson_label), FadeInPlace(lesson_row), run_time=1.2
        )
        self.wait(1.5)
        self.play(FadeInPlace(real_label), FadeInPlace(real_row), run_time=1.2)
        self.play(*(Create(m) for m in marks), FadeInPlace(note), run_time=1.0)
        self.caption_shown(
            "   ".join(examples) if examples else "Here every word is a single token."
        )
        self.wait(3.5)
        self.fade_out(layout, run_time=0.8)

    def _token_rows(self, split: list[tuple[int, int]], examples: list[str]) -> VGroup:
        """The lesson's tokens above the model's, the words cut into pieces (``split``:
        token spans) underlined and a few of them written out (``examples``)."""
        words, tokens = self.trace.words, self.run.tokens
        self.heading_shown("What a real model reads")
        heading = literal("What a real model reads", font_size=palette.PROMINENT)
        lesson_label = literal(
            f"The lesson: {plural(len(words), 'token')}, one per word or mark",
            font_size=palette.LABEL,
            color=palette.DIM_TEXT,
        )
        lesson_row = PieceRow(words, starts=[True] * len(words), font_size=palette.LABEL)
        real_label = literal(
            f"{CAPTION}: {plural(len(tokens), 'token')}",
            font_size=palette.LABEL,
            color=palette.DIM_TEXT,
        )
        real_row = PieceRow(tokens, font_size=palette.LABEL)
        marks = VGroup(*(real_row.underline(a, b, color=palette.TEXT) for a, b in split))
        note = literal(
            "   ".join(examples) if examples else "Here every word is a single token.",
            font_size=palette.LABEL,
        )
        width = STAGE.width - 1.0
        if note.width > width:  # long pieces (bytes shown as <0xF0>...): one per line
            note = VGroup(*(literal(e, font_size=palette.LABEL) for e in examples)).arrange(
                DOWN, buff=0.15
            )
            if note.width > width:
                note.scale_to_fit_width(width)
        layout = VGroup(
            heading, lesson_label, lesson_row, real_label, VGroup(real_row, marks), note
        ).arrange(DOWN, buff=0.35)
        layout.scale_to_fit_height(min(layout.height, 7.4)).move_to(0)
        return layout

    def gallery_of_heads(self) -> None:
        total = self.n_layers * self.n_heads
        self.beat(
            "gallery",
            f"Every head of the model on this sentence: {self.n_layers} layers across, "
            f"{self.n_heads} heads down, {total} patterns. Each {self.shape} is one head: keys "
            "down, queries across, brighter for more weight.",
        )
        said = f"All {total} heads: {self.n_layers} layers × {self.n_heads} heads"
        self.heading_shown(said)
        heading = literal(said, font_size=palette.LARGE)
        self.heading = HEADING_BAND.place(heading, UP, buff=0.25)
        self.gallery = HeadGallery(self.run.pattern, self.run.mask)
        self.gallery.scale_to_fit_width(2 * (FRAME_X - GALLERY_MARGIN))  # labels and all
        self.gallery.next_to(self.heading, DOWN, buff=0.25).set_x(0)
        self.full_gallery = self.gallery  # as shown here, before it shrinks into a map
        lines = self._gallery_legend()
        marks = VGroup()
        if self.n_tokens >= 2:  # frame one bright-top-row head: a first look at the sink
            best = best_head(self.run.pattern, "first_token")
            marks.add(self.gallery.highlight(best.layer, best.head))
            lines.add(
                paragraph(
                    f"Framed: layer {best.layer}, head {best.head}. Its top row is bright: on "
                    f"average {best.first_token:.2f} of each later token's weight goes to the "
                    f"first token, {quoted_piece(self.run.tokens[0])}.",
                    width=70,
                )
            )
        lines.arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        lines.scale_to_fit_width(min(lines.width, 12.6))
        lines.next_to(self.gallery, DOWN, buff=0.45).align_to(self.gallery, LEFT)
        self.below_gallery = VGroup(lines, marks)
        self.play(FadeInPlace(self.heading), FadeInPlace(self.footnote), run_time=0.8)
        self.play(FadeInPlace(self.gallery), run_time=1.5)
        self.play(*(Create(m) for m in marks), FadeInPlace(lines), run_time=1.0)
        self.caption_shown(said)
        self.wait(6.0)

    def _gallery_legend(self) -> VGroup:
        """How to read a triangle, and a brightness scale from weight 0 to 1."""
        swatches = VGroup()
        for weight in LEGEND_WEIGHTS:
            square = Square(0.32, stroke_width=0).set_fill(weight_color(weight), opacity=1)
            value = number(weight, decimals=2, font_size=palette.SMALL, color=palette.DIM_TEXT)
            swatches.add(VGroup(square, value.next_to(square, RIGHT, buff=0.1)))
        swatches.arrange(RIGHT, buff=0.3)
        lines = VGroup(
            literal(
                f"Each {self.shape} is one head: keys are rows, queries are columns.",
                font_size=palette.LABEL,
                color=palette.DIM_TEXT,
            ),
            VGroup(
                literal("Weight:", font_size=palette.LABEL, color=palette.DIM_TEXT), swatches
            ).arrange(RIGHT, buff=0.25),
        )
        if self.gallery.pool > 1:
            b = self.gallery.pool
            lines.add(
                literal(
                    f"More than {MAX_CELLS} tokens: each square pools {b} × {b} tokens (the "
                    "weight its queries send to its keys, on average).",
                    font_size=palette.SMALL,
                    color=palette.DIM_TEXT,
                )
            )
        return lines

    def attention_sink(self) -> None:
        first_share = behaviour_scores(self.run.pattern)["first_token"]  # (layers, heads)
        self.sink_heads = first_share > SINK_SHARE
        self.sink_count = int(self.sink_heads.sum())
        total = first_share.size
        first = quoted_piece(self.run.tokens[0])
        self.beat(
            "sink",
            f"{light_up(self.sink_count, total)} one row: the first token, {first}. In "
            f"{self.sink_count} of {total} heads the later tokens put more than half their "
            f"weight there; on average it gets {first_share.mean():.2f}. Every column must sum "
            "to 1, so a head with nothing to read parks its weight on the token every query "
            "can see: an attention sink.",
        )
        self.heading_shown(f"The attention sink: the first token, {first}")
        self.dimmed = self.gallery.dimming(self.sink_heads)
        counts = self.gallery.layer_counts(self.sink_heads.sum(axis=1))
        counts_label = literal("sinks", font_size=palette.NOTE, color=palette.DIM_TEXT)
        counts_label.next_to(counts, LEFT, buff=0.25)
        self.counts = VGroup(counts, counts_label)
        text = VGroup(
            VGroup(
                literal(
                    f"{self.sink_count} of {total} heads put over half their weight on the first "
                    f"token {first}",
                    font_size=palette.BODY,
                ),
                literal(
                    "(dimmed above; the numbers count them in each layer)",
                    font_size=palette.SMALL,
                    color=palette.DIM_TEXT,
                ),
            ).arrange(DOWN, aligned_edge=LEFT, buff=0.12),
            literal(
                f"Average weight on {first}, over all heads and later tokens: "
                f"{first_share.mean():.2f}",
                font_size=palette.BODY,
            ),
            paragraph(
                WHY_SINK,
                width=68,
                color=palette.DIM_TEXT,
            ),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.22)
        room = self.counts.get_bottom()[1] - 0.35 - (self.footnote.get_top()[1] + 0.15)
        text.scale_to_fit_width(min(text.width, 12.6))
        text.scale_to_fit_height(min(text.height, room))
        text.next_to(self.counts, DOWN, buff=0.35).align_to(self.gallery, LEFT)
        self.play(FadeOutInPlace(self.below_gallery), FadeInPlace(text[0]), run_time=1.0)
        self.play(FadeInPlace(self.dimmed), FadeInPlace(self.counts), run_time=1.2)
        self.wait(2.0)
        self.play(FadeInPlace(text[1]), run_time=0.8)
        self.wait(3.0)
        self.play(FadeInPlace(text[2]), run_time=1.0)
        self.caption_shown(WHY_SINK)
        self.wait(6.0)
        self.below_gallery = text

    def too_short(self) -> None:
        n = self.n_tokens
        if n == 1:
            sees = "its one query can only see itself, so every head gives it all the weight: 1.00"
        else:
            sees = f"each query sees at most {plural(n - 1, 'earlier token')}"
        text = (
            f"Only {plural(n, 'token')}: {sees}. Too little to tell the heads apart; "
            "try a longer sentence."
        )
        self.beat("too short", text)
        message = paragraph(text, width=60, font_size=palette.HEADING)
        message.next_to(self.gallery, DOWN, buff=0.8).set_x(0)
        self.play(FadeOutInPlace(self.below_gallery), FadeInPlace(message), run_time=1.0)
        self.caption_shown(text)
        self.wait(4.0)

    def zoom_into_heads(self) -> None:
        self.zooms: list[tuple[str, HeadScore, PatternWindow]] = []
        self.marked: dict[tuple[int, int], tuple[int, tuple[int, ...]]] = {}  # query, keys
        self.finish_speech()  # the sink's picture stays while its beat is said or read
        self._gallery_to_map()
        for behaviour, score in distinct_best(self.run.pattern, ZOOMS):
            self._zoom(behaviour, score)

    def _gallery_to_map(self) -> None:
        """Shrink the gallery (with its dimmed sinks) into a map in the bottom-right corner.

        The gallery holds every cell of every head, hundreds of thousands of points for
        SmolLM2's 270 heads: moving them point by point, frame after frame, is slow. Its
        outline moves instead, while the gallery fades out where it was and in where it
        goes (fades keep the drawn paths: only opacities change)."""
        self.map = VGroup(self.gallery, self.dimmed)
        target = self.map.copy().scale_to_fit_width(MAP_WIDTH)
        target.next_to(self.footnote, UP, buff=0.2).set_x(PANEL.left + MAP_WIDTH / 2)
        outline = Rectangle(
            width=self.map.width, height=self.map.height, color=palette.DIM_TEXT, stroke_width=2
        ).move_to(self.map)
        corner = outline.copy().replace(target, stretch=True)
        # one after the other, never both at once: a cross-fade would show two galleries
        self.play(
            FadeOutInPlace(self.heading),
            FadeOutInPlace(self.below_gallery),
            FadeOutInPlace(self.counts),
            FadeOutInPlace(self.map),
            FadeInPlace(outline),
            run_time=0.6,
        )
        self.play(Transform(outline, corner), run_time=0.6)
        self.play(FadeInPlace(target), FadeOutInPlace(outline), run_time=0.5)
        self.map = target
        self.gallery, self.dimmed = target
        self.bring_to_back(self.map)  # drawn once per animation from now on, not every frame
        self.map_frame = None

    def _zoom(self, behaviour: str, score: HeadScore) -> None:
        layer, head = score.layer, score.head
        grid = PatternWindow(self.run.pattern[layer, head], self.run.mask, self.run.tokens)
        grid.add(grid.axis_titles())
        grid.scale_to_fit_height(min(grid.height, 7.4))
        room = PANEL.left - 0.2 - (STAGE.left + 0.3)  # frame edge to the panel
        grid.scale_to_fit_width(min(grid.width, room)).to_corner(UP + LEFT, buff=0.3)
        query, keys, fact, example = self._describe(behaviour, score, grid)
        self.beat(
            f"L{layer}H{head}",
            f"Layer {layer}, head {head} {BEHAVIOUR_NAMES[behaviour]}: {fact}. {example}.",
        )
        self.heading_shown(f"Layer {layer}, head {head}: {BEHAVIOUR_NAMES[behaviour]}")
        column = self._zoom_texts(layer, head, behaviour, fact, example, grid)
        panel, legend = column
        frame = self.gallery.highlight(layer, head)
        frame_in = ReplacementTransform(self.map_frame, frame) if self.map_frame else Create(frame)
        if self.zooms:
            previous = self.zooms[-1][2]
            self.play(FadeOutInPlace(previous), FadeOutInPlace(self.zoom_texts), run_time=0.6)
        self.play(FadeInPlace(panel), frame_in, run_time=0.8)
        self.play(FadeInPlace(grid), FadeInPlace(legend), run_time=1.5)
        cells = VGroup(*(grid.mark(key, query) for key in keys))
        self.play(
            *(Create(cell) for cell in cells),
            grid.column_label(query).animate.set_color(palette.TEXT),
            *(grid.row_label(key).animate.set_color(palette.TEXT) for key in keys),
            run_time=0.6,
        )
        self.caption_shown(f"{fact}. {example}.")
        self.wait(5.0)
        self.map_frame = frame
        self.zoom_texts = VGroup(panel, legend, cells)
        self.zooms.append((behaviour, score, grid))
        self.marked[layer, head] = (query, tuple(keys))

    def _zoom_texts(
        self, layer: int, head: int, behaviour: str, fact: str, example: str, grid
    ) -> VGroup:
        """Beside a zoomed head: its name, behaviour, numbers and example (the panel), and
        under them how to read its grid (the legend); fitted above the map."""
        panel = VGroup(
            literal(f"Layer {layer}, head {head}", font_size=palette.HEADLINE),
            literal(BEHAVIOUR_NAMES[behaviour], font_size=palette.HEADING),
            paragraph(fact, width=40),
            paragraph(example, width=40, color=palette.DIM_TEXT),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        panel.scale_to_fit_width(min(panel.width, PANEL.width))
        panel.next_to(PANEL.point(UP + LEFT), DOWN + RIGHT, buff=0)
        shown_as = (
            "brighter cells for more weight, as in the gallery"
            if grid.show_numbers
            else "dot area = weight"
        )
        notes = [f"Rows: keys. Columns: queries. Each full column sums to 1; {shown_as}."]
        if grid.is_window:
            notes.append(
                f"Window: the first token and the last {len(grid.queries)} of "
                f"{self.n_tokens} tokens; the rest of each column's weight is off-screen."
            )
        legend = VGroup(
            *(paragraph(n, width=48, font_size=palette.NOTE, color=palette.DIM_TEXT) for n in notes)
        )
        legend.arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        legend.scale_to_fit_width(min(legend.width, PANEL.width))
        legend.next_to(panel, DOWN, buff=0.3, aligned_edge=LEFT)
        column = VGroup(panel, legend)
        room = PANEL.top - (self.map.get_top()[1] + 0.25)
        if column.height > room:
            column.scale_to_fit_height(room).next_to(PANEL.point(UP + LEFT), DOWN + RIGHT, 0)
        return column

    def _describe(
        self, behaviour: str, score: HeadScore, grid: PatternWindow
    ) -> tuple[int, list[int], str, str]:
        """The query and keys of the cells to frame, the behaviour in numbers, and one
        example (whose words name exactly the framed cells)."""
        weights = self.run.pattern[score.layer, score.head]  # (query, key)
        tokens = self.run.tokens
        shown = [q for q in grid.queries if q >= 1]
        # Prefer examples a viewer can read: tokens of whole characters, not bytes of
        # one (drawn as <0xF0>...).
        queries = [q for q in shown if whole_characters(self.run.token_bytes[q])] or shown
        fact = behaviour_fact(behaviour, score)
        if behaviour == "previous_token":
            after_first = [q for q in queries if q >= 2 and q - 1 in grid.keys] or queries
            query = max(after_first, key=lambda q: weights[q, q - 1])
            key = query - 1
        elif behaviour == "current_token":
            query = max(queries, key=lambda q: weights[q, q])
            key = query
        else:
            query = grid.queries[-1]
            reading = broad_reading(weights, query, grid.keys)
            return query, list(reading.keys), fact, broad_example(reading, tokens, grid.is_window)
        example = (
            f"For example, {quoted_piece(tokens[query])} puts {weights[query, key]:.2f} "
            f"of its weight on {quoted_piece(tokens[key])}"
        )
        return query, [key], fact, example

    def contrast_with_lesson(self) -> None:
        designed = self.trace.head("adjective-noun")
        words = self.trace.words
        left = PatternWindow(
            designed.pattern,
            designed.mask,
            words,
            height=CONTRAST_GRID,
            style="dots",
            sink=designed.sink,
        )
        shown = self._contrast(designed, left)
        self.beat("contrast", shown.narration)
        self.heading_shown("The designed head beside a real one")
        sinks = shown.sinks
        right = PatternWindow(
            self.run.pattern[sinks.layer, sinks.head],
            self.run.mask,
            self.run.tokens,
            height=CONTRAST_GRID,
            style="dots",
        )
        titles, notes, rows, lines = self._contrast_layout(designed.name, shown, left, right)
        self.play(
            FadeOutInPlace(self.zooms[-1][2]),
            FadeOutInPlace(self.zoom_texts),
            FadeOutInPlace(self.map_frame),
            FadeOutInPlace(self.map),
            run_time=1.0,
        )
        self.play(FadeInPlace(titles[0]), FadeInPlace(left), run_time=1.2)
        self.play(FadeInPlace(titles[1]), FadeInPlace(right), run_time=1.2)
        self.play(*(Create(row) for row in rows), FadeInPlace(VGroup(*notes)), run_time=1.2)
        self.play(FadeInPlace(lines), run_time=1.5)
        self.caption_shown(" ".join(shown.lines))
        self.wait(8.0)
        self.designed_grid, self.contrast_grid = left, right
        self.contrast = shown

    def _contrast_layout(
        self, designed_name: str, shown: Contrast, left: PatternWindow, right: PatternWindow
    ) -> tuple[list, list, VGroup, VGroup]:
        """The two grids side by side under their titles, each with its framed row and its
        share under it, and the contrast's lines under both: (titles, notes, frames, lines)."""
        sinks = shown.sinks
        titles = [
            literal(f"Lesson: designed “{designed_name}” head", font_size=palette.BODY),
            literal(f"Real: layer {sinks.layer}, head {sinks.head}", font_size=palette.BODY),
        ]
        notes = [
            literal(shown.designed_line, font_size=palette.LABEL, color=palette.QUERY),
            literal(shown.real_line, font_size=palette.LABEL, color=palette.QUERY),
        ]
        rows = VGroup(left.row_frame(left.sink_key), right.row_frame(0))
        sides = VGroup(
            *(
                VGroup(title, VGroup(grid, row), note).arrange(DOWN, buff=0.3)
                for title, grid, row, note in zip(titles, [left, right], rows, notes)
            )
        ).arrange(RIGHT, buff=1.0, aligned_edge=UP)
        colors = (palette.TEXT, palette.TEXT, palette.DIM_TEXT)  # the rule, a note
        lines = VGroup(
            *(
                paragraph(line, width=96, font_size=palette.LABEL, color=color)
                for line, color in zip(shown.lines, colors)
            )
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        layout = VGroup(sides, lines).arrange(DOWN, buff=0.35)
        layout.scale_to_fit_height(min(layout.height, 7.1)).scale_to_fit_width(
            min(layout.width, 13.4)
        ).move_to(0).shift(UP * 0.2)
        return titles, notes, rows, lines

    def _contrast(self, designed, grid: PatternWindow) -> Contrast:
        """The measure for both heads, the real head to show, and the words about them."""
        sinks = sink_contrast(designed.sink, self.run.pattern)
        said = sinks_said(sinks, designed.name, quoted_piece(self.run.tokens[0]))
        query, key, adjective = self._designed_example(designed.pattern, grid)
        link = (
            f"{quoted(self.trace, key)} → {quoted(self.trace, query)}: "
            f"{designed.pattern[query, key]:.2f}"
        )
        job = (
            f"Its job, adjectives to nouns: {link}"
            if adjective
            else f"No adjective before a noun here; its strongest link: {link}"
        )
        narration = (
            "Side by side, one measure for both heads: the weight later tokens park where "
            "they take almost nothing, on average (the first token, which can only look at "
            f"itself, left out). {said.compared} {job}. Real heads are learned, not designed."
        )
        return Contrast(
            sinks,
            narration,
            designed_line=f"{said.designed} (average)",
            real_line=f"{said.real} (average)",
            lines=(
                said.count,
                f"Designed head: {job[0].lower()}{job[1:]}.",
                "Framed: the rows each average is taken over (the first column left out). "
                "Dot area = weight.",
            ),
        )

    def _designed_example(self, pattern: np.ndarray, grid: PatternWindow) -> tuple[int, int, bool]:
        """(query, key, is adjective -> noun) of the designed head's strongest adjective ->
        noun weight in the grid, or of its strongest weight on an earlier token when the grid
        has no such pair (or on itself, for a one-word sentence)."""
        roles = [t.role for t in self.trace.tokens]
        earlier = [(q, k) for q in grid.queries for k in grid.keys if k < q]
        pairs = [(q, k) for q, k in earlier if roles[q] in ("noun", "propn") and roles[k] == "adj"]
        candidates = pairs or earlier or [(0, 0)]
        query, key = max(candidates, key=lambda qk: pattern[qk])
        return query, key, bool(pairs)
