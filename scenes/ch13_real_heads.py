"""Chapter 13 (bonus): what the heads of a real pretrained model do with the sentence.

Everything here is read from one forward pass of SmolLM2-135M-Instruct (4-bit) over the
chosen example's sentence (:func:`attention_math.real_model.run_sentence`): the tokens as
its tokenizer cuts them, all 30 x 9 attention patterns, the attention sink, and a few heads
picked automatically by the head finder, shown up close and next to the lesson's designed
adjective -> noun head. If the model is not installed, the scene stops with the core's
one-line error (how to install it).

What it says, and which tokens and cells it shows, is computed in
``scenes/facts/ch13_real_heads.py`` (no drawing there).

    manim -pql scenes/ch13_real_heads.py RealHeads
"""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    Rectangle,
    ReplacementTransform,
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
from attention_math.real_model.head_finder import behaviour_scores, distinct_best
from attention_math.real_model.tokenizer import punctuation_only
from attention_math.text import without_inline_roles
from scenes.chapter import ChapterScene
from scenes.components import palette
from scenes.components.fade_in_place import FadeInPlace, FadeOutInPlace
from scenes.components.head_gallery import HeadGallery
from scenes.components.labels import literal, paragraph
from scenes.components.pattern_window import PatternWindow
from scenes.components.piece_row import PieceRow, piece_text, word_spans
from scenes.facts.ch13_real_heads import (
    BEHAVIOUR_NAMES,
    CONTRAST_ROWS,
    MIN_TOKENS,
    SINK_SHARE,
    ZOOMS,
    Contrast,
    contrast,
    describe_zoom,
    designed_tokens,
    drawn_weights,
    light_up,
    quoted_piece,
    sink_contrast,
)
from scenes.focus import plural
from scenes.lesson import CAPTION_BAND, FRAME_X, FRAME_Y, HEADING_BAND, STAGE, Region
from scenes.settings import plain_manim_exit

PANEL = Region(left=0.45, right=6.9, top=FRAME_Y - 0.3, bottom=-FRAME_Y)  # beside a zoomed grid
GALLERY_MARGIN = 0.25  # from the frame's sides to the gallery's labels
MAP_WIDTH = 5.6  # the gallery, shrunk to a map of where the zoomed head sits
CONTRAST_GRID = 5.0  # height of the cells of each grid in the contrast, before fitting


FRAMED = "Framed, their labels in white: the cells of the example above."
WHY_SINK = (
    "Why? Each column must sum to 1, so a head with nothing to read here parks its weight "
    "on the one token every query can see."
)


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
        # the words the pieces come with
        said = f"like {examples[0]}" if examples else "though here every word is a single token"
        self.beat(
            "tokens",
            f"The lesson cut the sentence into {plural(len(words), 'token')}. A real model, "
            f"{CAPTION}, reads {plural(len(tokens), 'token')}: its tokenizer cuts rarer words "
            f"into pieces, {said}.",
        )
        layout = self._token_rows(split, examples)
        heading, lesson_label, lesson_row, real_label, (real_row, marks), note = layout
        self.play(
            FadeInPlace(heading), FadeInPlace(lesson_label), FadeInPlace(lesson_row), run_time=1.2
        )
        self.wait(1.5)
        self.play(FadeInPlace(real_label), FadeInPlace(real_row), run_time=1.2)
        self.until_said(said)
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
        lines = self.gallery.legend(self.shape)
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
        self.until_said(f"Each {self.shape} is one head")  # how to read it, as it is said
        self.play(*(Create(m) for m in marks), FadeInPlace(lines), run_time=1.0)
        self.caption_shown(said)
        self.wait(4.0)

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
            paragraph(WHY_SINK, width=68, color=palette.DIM_TEXT),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.22)
        room = self.counts.get_bottom()[1] - 0.35 - (self.footnote.get_top()[1] + 0.15)
        text.scale_to_fit_width(min(text.width, 12.6))
        text.scale_to_fit_height(min(text.height, room))
        text.next_to(self.counts, DOWN, buff=0.35).align_to(self.gallery, LEFT)
        # the bright top rows first, as the beat names them; then each line as the
        # subtitles reach its numbers, the sink heads dimmed and counted with the first
        self.play(FadeOutInPlace(self.below_gallery), run_time=0.6)
        self.until_said(f"In {self.sink_count} of")
        self.play(
            FadeInPlace(self.dimmed), FadeInPlace(self.counts), FadeInPlace(text[0]), run_time=1.2
        )
        for line, words in zip(text[1:], ("on average it", "Every column")):
            self.until_said(words)
            self.play(FadeInPlace(line), run_time=0.8)
        self.caption_shown(WHY_SINK)
        self.wait(4.0)
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
        # where the gallery (with its dimmed sinks) goes: a map in the bottom-right corner,
        # on which the zooms frame their heads; the first zoom's texts fit above it
        self.big_map = VGroup(self.gallery, self.dimmed)
        self.map = self.big_map.copy().scale_to_fit_width(MAP_WIDTH)
        self.map.next_to(self.footnote, UP, buff=0.2).set_x(PANEL.left + MAP_WIDTH / 2)
        self.gallery, self.dimmed = self.map
        self.map_frame = None
        for behaviour, score in distinct_best(self.run.pattern, ZOOMS):
            self._zoom(behaviour, score)

    def _gallery_to_map(self, *arrivals) -> None:
        """Shrink the gallery into its map (``self.map``), while ``arrivals`` (the first
        zoom's grid and texts) come in: the screen is never left empty.

        The gallery holds every cell of every head, hundreds of thousands of points for
        SmolLM2's 270 heads: moving them point by point, frame after frame, is slow. Its
        outline moves instead, while the gallery fades out where it was and in where it
        goes (fades keep the drawn paths: only opacities change)."""
        big = self.big_map
        outline = Rectangle(
            width=big.width, height=big.height, color=palette.DIM_TEXT, stroke_width=2
        ).move_to(big)
        corner = outline.copy().replace(self.map, stretch=True)
        # one after the other, never both at once: a cross-fade would show two galleries
        self.play(
            FadeOutInPlace(self.heading),
            FadeOutInPlace(self.below_gallery),
            FadeOutInPlace(self.counts),
            FadeOutInPlace(big),
            FadeInPlace(outline),
            run_time=0.6,
        )
        self.play(Transform(outline, corner), *arrivals, run_time=1.0)
        self.play(FadeInPlace(self.map), FadeOutInPlace(outline), run_time=0.5)
        self.bring_to_back(self.map)  # drawn once per animation from now on, not every frame

    def _zoom(self, behaviour: str, score: HeadScore) -> None:
        layer, head = score.layer, score.head
        # the numbers as drawn: each full column adds up to 1.00
        weights = drawn_weights(self.run.pattern[layer, head], self.run.mask)  # (query, key)
        grid = PatternWindow(weights, self.run.mask, self.run.tokens)
        grid.add(grid.axis_titles())
        grid.scale_to_fit_height(min(grid.height, 7.4))
        room = PANEL.left - 0.2 - (STAGE.left + 0.3)  # frame edge to the panel
        grid.scale_to_fit_width(min(grid.width, room)).to_corner(UP + LEFT, buff=0.3)
        query, keys, fact, example = describe_zoom(self.run, behaviour, score, grid, weights)
        self.beat(
            f"L{layer}H{head}",
            f"Layer {layer}, head {head} {BEHAVIOUR_NAMES[behaviour]}: {fact}. {example}.",
        )
        self.heading_shown(f"Layer {layer}, head {head}: {BEHAVIOUR_NAMES[behaviour]}")
        column = self._zoom_texts(layer, head, behaviour, fact, example, grid)
        panel, legend = column
        frame = self.gallery.highlight(layer, head)
        arrivals = (FadeInPlace(panel[:3]), FadeInPlace(grid), FadeInPlace(legend[:-1]))
        if not self.zooms:  # the first zoom's beat opens as the gallery becomes a map
            self._gallery_to_map(*arrivals)
            self.play(Create(frame), run_time=0.6)
        else:
            previous = self.zooms[-1][2]
            self.play(FadeOutInPlace(previous), FadeOutInPlace(self.zoom_texts), run_time=0.6)
            self.play(*arrivals[:1], ReplacementTransform(self.map_frame, frame), run_time=0.8)
            self.play(*arrivals[1:], run_time=1.5)
        cells = VGroup(*(grid.mark(key, query) for key in keys))
        # the example, its cells and the note on them, with the cue that gives its numbers
        self.until_said(example.removeprefix("For example, "))
        self.play(
            FadeInPlace(panel[3]),
            FadeInPlace(legend[-1]),
            *(Create(cell) for cell in cells),
            grid.column_label(query).animate.set_color(palette.TEXT),
            *(grid.row_label(key).animate.set_color(palette.TEXT) for key in keys),
            run_time=0.8,
        )
        self.caption_shown(f"{fact}. {example}.")
        self.wait(3.0)
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
        rounded = " (its numbers rounded to add up to 1.00)" if grid.show_numbers else ""
        notes = [f"Rows: keys. Columns: queries. Each full column sums to 1{rounded}; {shown_as}."]
        if grid.is_window:
            notes.append(
                f"Window: the first token and the last {len(grid.queries)} of "
                f"{self.n_tokens} tokens; the rest of each column's weight is off-screen."
            )
        notes.append(FRAMED)  # last: it comes with the example
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

    def contrast_with_lesson(self) -> None:
        designed = self.trace.head("adjective-noun")
        # a long sentence: the tokens up to an adjective -> noun link, if the window of
        # them all would show none (causal: the weights of these tokens stay the same)
        end = designed_tokens(self.trace, designed.pattern, CONTRAST_ROWS)
        left = PatternWindow(
            designed.pattern[:end, :end],
            designed.mask[:end, :end],
            self.trace.words[:end],
            size=CONTRAST_ROWS,
            height=CONTRAST_GRID,
            font_size=palette.LABEL,
            style="dots",
            sink=designed.sink[:end],
        )
        sinks = sink_contrast(designed.sink, self.run.pattern)
        right = PatternWindow(
            self.run.pattern[sinks.layer, sinks.head],
            self.run.mask,
            self.run.tokens,
            size=CONTRAST_ROWS,
            height=CONTRAST_GRID,
            font_size=palette.LABEL,
            style="dots",
        )
        shown = contrast(self.trace, self.run, designed, sinks, (left, right))
        self.beat("contrast", shown.narration)
        self.heading_shown("The designed head beside a real one")
        titles, notes, rows, legend, lines = self._contrast_layout(
            designed.name, shown, left, right
        )
        self.play(
            FadeOutInPlace(self.zooms[-1][2]),
            FadeOutInPlace(self.zoom_texts),
            FadeOutInPlace(self.map_frame),
            FadeOutInPlace(self.map),
            run_time=1.0,
        )
        # both heads side by side as the beat says so; then one part at a time, as the
        # subtitles reach it: the designed head's framed row and share with the legend of
        # the frames, the real head's framed row, its share, then the lines under both
        self.play(*(FadeInPlace(m) for m in (*titles, left, right)), run_time=1.2)
        self.until_said(shown.cues[0])
        self.play(Create(rows[0]), FadeInPlace(notes[0]), FadeInPlace(legend), run_time=1.0)
        self.caption_shown(shown.legend)
        self.until_said(shown.cues[1])
        self.play(Create(rows[1]), run_time=1.0)
        self.until_said(shown.cues[2])
        self.play(FadeInPlace(notes[1]), run_time=1.0)
        job = left.mark(*shown.job)  # the designed head's cell its job line quotes
        for k, (line, cue) in enumerate(zip(lines, shown.cues[3:], strict=True)):
            self.until_said(cue)
            extra = [Create(job)] if k == 1 else []  # with the line that quotes it
            self.play(FadeInPlace(line), *extra, run_time=1.0)
        self.caption_shown(" ".join(shown.lines))
        self.wait(3.0)
        self.designed_grid, self.contrast_grid = left, right
        self.contrast, self.contrast_legend, self.contrast_lines = shown, legend, lines

    def _contrast_layout(
        self, designed_name: str, shown: Contrast, left: PatternWindow, right: PatternWindow
    ) -> tuple[list, list, VGroup, VGroup, VGroup]:
        """The two grids side by side under their titles, each with its framed row and its
        share under it, the legend of the frames under both and the contrast's lines under
        that, the whole filling the frame: (titles, notes, frames, legend, lines)."""
        sinks = shown.sinks
        titles = [
            literal(f"Lesson: designed “{designed_name}” head", font_size=palette.BODY),
            literal(f"Real: layer {sinks.layer}, head {sinks.head}", font_size=palette.BODY),
        ]
        # wrapped to about a grid's width: the grids, not the notes, set how wide a side is
        notes = [
            paragraph(line, width=36, font_size=palette.LABEL, color=palette.QUERY)
            for line in (shown.designed_line, shown.real_line)
        ]
        rows = VGroup(left.row_frame(left.sink_key), right.row_frame(0))
        sides = VGroup(
            *(
                VGroup(title, VGroup(grid, row), note).arrange(DOWN, buff=0.25)
                for title, grid, row, note in zip(titles, [left, right], rows, notes)
            )
        ).arrange(RIGHT, buff=0.8, aligned_edge=UP)
        legend = paragraph(shown.legend, width=90, font_size=palette.LABEL, color=palette.DIM_TEXT)
        lines = VGroup(
            *(paragraph(line, width=90, font_size=palette.LABEL) for line in shown.lines)
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        layout = VGroup(sides, legend, lines).arrange(DOWN, buff=0.3)
        legend.align_to(lines, LEFT)
        top, bottom = FRAME_Y - 0.2, self.footnote.get_top()[1] + 0.1
        layout.scale_to_fit_height(top - bottom)
        layout.scale_to_fit_width(min(layout.width, 2 * FRAME_X - 0.6))
        layout.move_to([0, (top + bottom) / 2, 0])
        return titles, notes, rows, legend, lines
