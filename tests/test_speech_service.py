"""The voice as a service handed to the scene (voice/service.py, issue 29): a chapter
speaks with the service it is handed, a render process makes one and shares it among its
chapters, and an engine other than Piper (voice/tone.py) needs no change to the scenes."""

from __future__ import annotations

from pathlib import Path

import pytest
from manim import tempconfig
from render_helpers import TINY, source_of

from video.worker import speaker_for
from voice.service import RATE, SpeechService, VoiceError, speech_service
from voice.tone import SECONDS_PER_WORD, Done, ToneSpeaker
from voice.wav import read_wav


def test_a_tone_lasts_as_long_as_its_words_and_is_a_checked_wav(tmp_path):
    with ToneSpeaker(work=tmp_path) as speaker:
        pending = speaker.ask("Keys answer\nqueries.")
        speech = pending.result()
        assert pending.text == speech.text == "Keys answer queries."
        assert speech.seconds == pytest.approx(3 * SECONDS_PER_WORD)
        samples, rate = read_wav(speech.path, RATE)
        assert rate == RATE and len(samples) / RATE == pytest.approx(speech.seconds)
        assert 0.05 < abs(samples).max() < 0.2  # a sound, quiet
        copy = pending.copy_to(tmp_path / "media" / "000.wav")
        assert copy.path.read_bytes() == speech.path.read_bytes()
        assert copy.seconds == speech.seconds
        with pytest.raises(VoiceError, match="nothing to say"):
            speaker.ask("… ?")
    assert [p.name for p in tmp_path.iterdir()] == ["media"]  # its own folder removed


def test_engines_are_named_and_an_unknown_one_is_one_line():
    with speech_service("tone") as tone, speech_service("piper") as piper:
        assert isinstance(tone, ToneSpeaker) and isinstance(piper, SpeechService)
        assert piper._process is None  # Piper starts when first asked, not when made
    with pytest.raises(VoiceError, match="no speech engine named 'nope'"):
        speech_service("nope")


def test_a_render_process_shares_one_speaker_among_its_chapters(tmp_path):
    speakers: dict = {}
    narrated = {"voice": True, "speech": "tone"}
    first = speaker_for(narrated, speakers, tmp_path)
    assert isinstance(first, ToneSpeaker) and first.work == tmp_path
    assert speaker_for(narrated, speakers, tmp_path) is first  # the next chapter's
    assert speaker_for({"voice": False}, speakers, tmp_path) is None  # silent: none
    assert list(speakers.values()) == [first]


def test_a_chapter_speaks_with_the_speaker_it_is_handed(tmp_path):
    from scenes.ch12_ending import Ending
    from scenes.chapter import PAUSE

    with tempconfig(TINY), ToneSpeaker(work=tmp_path) as speaker:
        scene = Ending(source=source_of(), voice=True, speaker=speaker)
        scene.render()
    assert scene.speech_service() is speaker
    said = [pending for _, _, pending in scene.speech]
    assert said and all(isinstance(pending, Done) for pending in said)
    # every beat lasts until its tone and the pause after it are over (to a frame)
    starts = [start for _, start, _ in scene.speech] + [scene.time]
    frame = 1 / TINY["frame_rate"]
    for pending, start, end in zip(said, starts, starts[1:]):
        assert end - start >= pending.result().seconds + PAUSE - frame
    assert Path(tmp_path).exists() and not list(Path(tmp_path).iterdir())
