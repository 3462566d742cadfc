"""The base of every chapter: its trace, its title card, and its beats.

A chapter's ``construct`` reads like a table of contents of short beat methods.
Each beat starts with :meth:`ChapterScene.beat`, which

* starts a named section (``manim --save_sections`` then writes one clip per beat),
* records the beat's narration, written as a subtitle (``.srt`` beside the video)
  that lasts until the next beat starts (narrated: while it is spoken),
* makes the beat last until its speech is over, and at least as long as its subtitle
  takes to read (:func:`scenes.cues.reading_seconds`), with the voice on or off.

What comes before the first beat (the title card) is the section
:data:`OPENING_SECTION`, not manim's default ``autocreated``.

A chapter renders with the speed-ups of :mod:`render_speed` (switched on while it
renders, not when this module is imported): its camera keeps cairo paths, each frame
redraws only what can change, held frames are encoded once. With them off
(``ATTENTION_NO_SPEEDUPS=1``, or untested ManimCE or PyAV versions) it renders with
ManimCE's own camera and code.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from manim import (
    DOWN,
    UP,
    FadeIn,
    FadeOut,
    MovingCameraScene,
    Scene,
    ThreeDScene,
    Write,
)

import render_speed
from attention_math import InputError, Trace

from .components import palette
from .components.fade_in_place import FadeOutInPlace
from .components.labels import literal
from .cues import reading_seconds, said_at, timed
from .settings import (
    Source,
    environment_captions,
    environment_source,
    environment_voice,
    from_environment,
    plain_manim_exit,
    supporting_traces,
)

if TYPE_CHECKING:
    from voice.service import SpeechService

OPENING_SECTION = "title card"  # the section before the first beat
PAUSE = 0.6  # seconds of silence after a beat's speech, before the next beat
# Without the voice a beat lasts at least as long as its subtitles take to read
# (:func:`scenes.cues.reading_seconds`: a fixed estimate, not the speech, so that a silent
# video does not depend on what the speech cache holds).


class ChapterScene(Scene):
    """Base class: subclasses set ``number`` and ``title`` and write beats.

    ``source`` is the example to show (a :class:`scenes.settings.Source`, from
    :func:`scenes.settings.resolve_source`), ``captions`` whether captions are drawn
    and ``voice`` whether the beats are spoken, all handed by the render pipeline;
    without them (a plain ``manim`` call, a scene of your own) the environment variables
    of :mod:`scenes.settings` choose when the scene is set up. ``speaker`` is the speech
    service that says the beats (:class:`voice.service.SpeechService`), handed by the
    render process, which shares one among its chapters; without it, the process's
    default (:meth:`speech_service`)."""

    number: int = 0
    title: str = ""

    def __init__(
        self,
        *args,
        source: Source | None = None,
        captions: bool | None = None,
        voice: bool | None = None,
        speaker: SpeechService | None = None,
        **kwargs,
    ):
        self.source = source
        self.captions = captions
        self.voice = voice
        self.speaker = speaker  # None: the process's default, when a beat is first said
        # handed a voice by the pipeline, which builds the sound track itself; chosen by
        # the environment (plain manim), each beat's speech goes to manim's add_sound
        self.sound_by_manim = voice is None
        self.speed_ups = render_speed.usable()  # else ManimCE's camera and redraw rule
        if self.speed_ups and not isinstance(self, (ThreeDScene, MovingCameraScene)):
            # paths kept (render_speed/path_cache.py); those two bring their own camera
            kwargs.setdefault("camera_class", render_speed.PathCachingCamera)
        super().__init__(*args, **kwargs)

    def render(self, preview: bool = False) -> bool:
        """ManimCE's render, with the speed-ups switched on while it runs."""
        with render_speed.switched_on():
            return super().render(preview)

    def setup(self) -> None:
        if self.source is None:
            self.source = from_environment(environment_source)
        if self.captions is None:
            self.captions = from_environment(environment_captions)
        if self.voice is None:
            self.voice = from_environment(environment_voice)
        if self.voice and self.sound_by_manim:  # plain manim: the pipeline checked it else
            with self._voice_errors():
                self.speech_service().check()  # before the first frame, not the first beat
        self.speech: list[tuple] = []  # (beat, start time, voice.service.PendingSpeech)
        self.trace: Trace = self.source.trace
        self.narration: list[tuple[str, str]] = []  # (beat name, narration), in order
        # every section said, the title card's too: its name, heading and narration (the
        # lecture's slides: video/slides.py)
        self.beats: list[dict[str, str | None]] = []
        self._open_beat: tuple[str, float] | None = None  # (text, start time)
        self.captions_said: list[str] = []  # every caption's text, in order
        self.captioned_beats: set[str] = set()  # the beats that showed one (each should)
        # replaces manim's empty first section, "autocreated" (an empty section is
        # dropped, so a chapter that starts with a beat has no opening section)
        self.next_section(OPENING_SECTION)

    def speech_service(self) -> SpeechService:
        """The speech service that says this chapter's beats
        (:class:`voice.service.SpeechService`): the one the scene was handed, else
        (plain ``manim``) the process's default, :func:`voice.service.default_service`."""
        if self.speaker is None:
            from voice.service import default_service  # only a narrated render needs it

            self.speaker = default_service()
        return self.speaker

    def supporting(self, name: str) -> tuple[Trace, ...]:
        """The traces of the supporting example ``name`` (one per phrase), with this
        scene's seed."""
        return supporting_traces(name, self.source.seed)

    def beat(self, name: str, narration: str) -> None:
        """Start a new section named ``name``; ``narration`` becomes its subtitle and,
        with the voice on, its speech, which starts with the section: the previous beat
        is first made to last until its own speech and a short pause are over."""
        self.finish_speech(PAUSE)
        self._close_beat()
        self.next_section(name)
        self.narration.append((name, narration))
        self._say(name, narration)

    def _say(self, name: str, narration: str) -> None:
        """``narration`` becomes the subtitle of section ``name``, open from now, and
        with the voice on, its speech."""
        self._open_beat = (narration, self.time)
        heading = f"Chapter {self.number}: {self.title}" if name == OPENING_SECTION else None
        self.beats.append({"section": name, "heading": heading, "narration": narration})
        if self.voice:
            from voice.verbalise import verbalise  # only a narrated render needs the voice

            # the voice speaks while the beat renders; finish_speech waits for it
            with self._voice_errors():
                asked = self.speech_service().ask(verbalise(narration))
            self.speech.append((name, self.time, asked))
            if self.sound_by_manim:
                self._add_speech(asked)

    def heading_shown(self, text: str) -> None:
        """Note that the open beat shows ``text`` as its heading (the first one it shows
        is kept: the lecture's slide title)."""
        if self.beats and self.beats[-1]["heading"] is None:
            self.beats[-1]["heading"] = text

    def caption_shown(self, text: str) -> None:
        """Note that the open beat shows ``text`` as its caption, the written words on
        screen that go with its narration (:meth:`Lesson.caption` draws one)."""
        self.captions_said.append(text)
        if self.narration:
            self.captioned_beats.add(self.narration[-1][0])

    def _add_speech(self, asked) -> None:
        """manim's ``add_sound`` with the beat's speech (``voice.service.PendingSpeech``),
        whose file is there as ``result`` returns; made again if it vanished just then."""
        with self._voice_errors():
            try:
                self.add_sound(str(asked.result().path))
            except FileNotFoundError:
                self.add_sound(str(asked.result().path))

    @contextmanager
    def _voice_errors(self) -> Iterator[None]:
        """Under plain manim, a failure of the voice (Piper, the speech cache, a full disk)
        ends the render with one line, as a bad example does; in the pipeline it is
        raised, for the pipeline to report."""
        from voice.service import VoiceError

        try:
            yield
        except (VoiceError, OSError) as exc:
            if self.sound_by_manim:
                plain_manim_exit(InputError(str(exc)))
            raise

    def _seconds(self, asked) -> float:
        """The length of a beat's speech, waiting for Piper if need be."""
        with self._voice_errors():
            return asked.result().seconds

    def finish_speech(self, pause: float = 0.0) -> None:
        """Wait until the open beat's speech (and ``pause`` seconds after it) is over; in
        a silent render, until its subtitle has had time to be read."""
        if self._open_beat is None:
            return
        text, start = self._open_beat
        lasts = reading_seconds(text) + pause
        if self.voice and self.speech:  # the speech, and time to read the subtitle
            _, start, asked = self.speech[-1]
            lasts = max(lasts, self._seconds(asked) + pause)
        left = start + lasts - self.time
        if left > 1e-3:
            self.wait(left)

    def until_said(self, phrase: str) -> None:
        """Wait until the open beat's subtitles reach ``phrase`` (a piece of its
        narration): the picture that goes with those words comes with them, as the
        beat's cues are timed (over the time its words take to read or, with the voice
        on, to say: :meth:`_cue_seconds`)."""
        if self._open_beat is None:
            raise ValueError(f"no beat is open to say {phrase!r}")
        text, start = self._open_beat
        index = text.find(phrase)
        if index < 0:
            raise ValueError(f"the open beat does not say {phrase!r}")
        left = start + said_at(text, index, self._cue_seconds(text)) - self.time
        if left > 1e-3:
            self.wait(left)

    def fade_out(self, mobject, **play_kwargs) -> None:
        """Fade ``mobject`` out in place, once the open beat has been said or read: the
        picture stays while its beat goes on (:meth:`Lesson.clear_content` for all)."""
        self.finish_speech()
        self.play(FadeOutInPlace(mobject), **play_kwargs)

    def _cue_seconds(self, text: str) -> float:
        """How long the open beat's subtitles (``text``) last: the time it takes to read
        them, or with the voice on, to say them if that is longer."""
        lasts = reading_seconds(text)
        if self.voice and self.speech:
            lasts = max(lasts, self._seconds(self.speech[-1][2]) + PAUSE / 2)
        return lasts

    def _close_beat(self) -> None:
        if self._open_beat is None:
            return
        text, start = self._open_beat
        # the subtitles last as long as the words take to read or say, not the fade and
        # the pause after them (nor a picture that takes longer): until_said times by them
        elapsed = min(self.time - start, self._cue_seconds(text))
        if elapsed > 0:  # in cues of two short lines, sharing the time by their length
            for piece, a, b in timed(text, elapsed):
                self.add_subcaption(piece, duration=b - a, offset=start + a - self.time)
        self._open_beat = None

    def get_moving_mobjects(self, *animations):
        """Redraw each frame only what an animation can change (render_speed/redraw.py)."""
        moving = render_speed.moving_members(self, animations) if self.speed_ups else None
        return super().get_moving_mobjects(*animations) if moving is None else moving

    def tear_down(self) -> None:
        self.finish_speech(PAUSE)
        self._close_beat()
        super().tear_down()

    def title_card(self, subtitle: str = "") -> None:
        """Chapter number and title, centred, then cleared; said, and a subtitle, as the
        opening section's words (not a beat of :attr:`narration`)."""
        said = f"Chapter {self.number}: {self.title}."
        self._say(OPENING_SECTION, said)
        heading = literal(
            f"Chapter {self.number}", font_size=palette.HEADLINE, color=palette.DIM_TEXT
        )
        name = literal(self.title, font_size=palette.TITLE).next_to(heading, DOWN, buff=0.3)
        group = [heading, name]
        if subtitle:
            note = literal(subtitle, font_size=palette.HEADING, color=palette.DIM_TEXT)
            group.append(note.next_to(name, DOWN))
        for mob in group:
            mob.shift(UP * 0.4)
        self.play(FadeIn(heading), Write(name), *[FadeIn(m) for m in group[2:]], run_time=1.5)
        self.wait(1.5)
        self.finish_speech()  # the picture stays while its beat is said or read
        self.play(*[FadeOut(m) for m in group], run_time=0.8)
