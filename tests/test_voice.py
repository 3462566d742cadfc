"""The narrated video: speech from the Piper program (deterministic, loudness-normalised,
cached), laid on each chapter's sound track at its beats' starts, in the chapter files,
the beats' clips and the joined video (issue 20)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pyloudnorm
import pytest

from voice.cache import SENTENCE_SILENCE, joined, sentences
from voice.loudness import LOUDNESS, true_peak
from voice.media import video_duration
from voice.piper import PIPER_OPTIONS, Speaker, one_thread_model, piper_program, voice_model
from voice.service import RATE, VoiceError
from voice.track import chapter_track, section_starts
from voice.wav import read_wav, write_wav

ROOT = Path(__file__).resolve().parent.parent


def decoded_sound(path: Path) -> np.ndarray:
    """The sound track of a video, mono samples at RATE."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        assert stream.rate == RATE
        return np.concatenate([f.to_ndarray().reshape(-1) for f in container.decode(stream)])


def test_speech_is_deterministic_normalised_and_cached(tmp_path):
    text = "Softmax turns each column into weights that add up to one."
    with Speaker(cache=tmp_path / "a") as first, Speaker(cache=tmp_path / "b") as second:
        a, b = first.say(text), second.say(text)
        again = first.say(text)  # from the cache: no second synthesis
    assert a.path.read_bytes() == b.path.read_bytes()  # same text, same bytes
    assert again.path == a.path and again.seconds == a.seconds
    samples, rate = read_wav(a.path)
    assert rate == RATE and a.seconds == pytest.approx(len(samples) / RATE)
    assert 2.0 < a.seconds < 6.0
    assert abs(pyloudnorm.Meter(RATE).integrated_loudness(samples) - LOUDNESS) < 1.0
    assert true_peak(samples) < -1.0


def test_an_utterance_starts_at_its_first_sound():
    from voice.loudness import LEAD, trimmed

    rate = 22_050
    t = np.arange(rate) / rate
    tone = 0.3 * np.sin(2 * np.pi * 220 * t)
    hiss = 1e-4 * np.random.default_rng(0).standard_normal(rate // 2)  # 0.5 s, -70 dB
    cut = trimmed(np.concatenate([hiss, tone]), rate)
    # the tone starts LEAD (and at most one 10 ms window more) after the start
    start = int(np.argmax(np.abs(cut) > 0.01)) / rate
    assert LEAD - 0.001 <= start <= LEAD + 0.011
    assert np.array_equal(cut[-rate:], tone)  # the sound itself is untouched
    assert np.array_equal(trimmed(tone, rate), tone)  # nothing to cut
    assert trimmed(np.zeros(100), rate).size == 100  # silence alone is left as it is


def test_piper_runs_the_voice_on_one_thread_with_the_same_samples(tmp_path, monkeypatch):
    import onnxruntime

    model = one_thread_model(tmp_path)
    assert model.read_bytes().startswith(voice_model().read_bytes())  # only appended to
    monkeypatch.setenv("ORT_LOAD_CONFIG_FROM_MODEL", "1")
    session = onnxruntime.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    config = json.loads(session.get_modelmeta().custom_metadata_map["ort_config"])
    assert config["session_options"]["intra_op_num_threads"] == 1
    assert session.get_session_options().intra_op_num_threads == 1  # read by onnxruntime
    spoken = []
    for name, path in (("own", voice_model()), ("copy", model)):
        command = [str(piper_program()), "--model", str(path), *PIPER_OPTIONS]
        command += ["--output-file", str(tmp_path / f"{name}.wav")]
        subprocess.run(command, input="Keys answer queries.", text=True, check=True)
        spoken.append(read_wav(tmp_path / f"{name}.wav")[0])
    # one thread sums in another order than two: at most one step of the 16-bit samples
    assert len(spoken[0]) > RATE // 2 and len(spoken[0]) == len(spoken[1])
    assert np.abs(spoken[0] - spoken[1]).max() <= 1.5 / 32768


def test_an_utterance_is_its_sentences_as_piper_says_the_whole_line(tmp_path):
    line = "Keys answer queries. Values carry what is passed on!"
    with Speaker(cache=tmp_path / "cache") as speaker:
        first = speaker.ask(line)
        first.result()
        # a sentence said before is taken from the cache: Piper reads only the new one
        second = speaker.ask("Values carry what is passed on! Softmax makes weights.")
        assert second.parts[0] == first.parts[1]
        assert [part for _, part in speaker._waiting] == [second.parts[1]]
        second.result()
    assert len(list((tmp_path / "cache" / "sentences").glob("*.wav"))) == 3
    command = [str(piper_program()), "--model", str(voice_model()), *PIPER_OPTIONS]
    command += ["--sentence-silence", str(SENTENCE_SILENCE)]
    command += ["--output-file", str(tmp_path / "whole.wav")]
    subprocess.run(command, input=line, text=True, check=True)
    whole = read_wav(tmp_path / "whole.wav")[0]
    parts = joined([read_wav(part)[0] for part in first.parts], RATE)
    assert len(parts) == len(whole) > RATE
    assert np.abs(parts - whole).max() <= 1.5 / 32768  # one thread against two: rounding


@pytest.mark.parametrize(
    "line, expected",
    [
        ("One. Two! Three? Four", ["One.", "Two!", "Three?", "Four"]),
        ("A weight of 0.54 goes to it. Then", ["A weight of 0.54 goes to it.", "Then"]),
        ("Keys. . Queries.", ["Keys. .", "Queries."]),  # nothing to say alone: kept with
        (". Keys. Queries.", [". Keys.", "Queries."]),  # the sentence beside it
        ("... !", []),
    ],
)
def test_sentences_piper_is_asked_for(line, expected):
    assert sentences(line) == expected


def test_nothing_to_say_is_a_clear_error(tmp_path):
    with Speaker(cache=tmp_path) as speaker, pytest.raises(VoiceError, match="nothing to say"):
        speaker.ask("… ?")
    assert speaker._process is None  # Piper was not started


def test_speech_is_laid_at_the_start_of_its_section(tmp_path):
    tone = 0.3 * np.sin(np.arange(RATE // 2) * 2 * np.pi * 440 / RATE)  # half a second
    write_wav(tmp_path / "a.wav", tone)
    write_wav(tmp_path / "b.wav", tone)
    index = [
        {"name": "title card", "duration": "2.0"},
        {"name": "one", "duration": "1.5"},
        {"name": "two", "duration": "3.0"},
    ]
    assert [s[1] for s in section_starts(index)] == [0.0, 2.0, 3.5]
    said = [
        {"beat": "one", "path": str(tmp_path / "a.wav")},
        {"beat": "two", "path": str(tmp_path / "b.wav")},
    ]
    track = chapter_track(index, said, 6.5)
    assert len(track) == int(6.5 * RATE)
    loud = np.abs(track) > 0.05
    first = np.flatnonzero(loud)[0] / RATE
    second = (np.flatnonzero(loud[3 * RATE :])[0] + 3 * RATE) / RATE
    assert first == pytest.approx(2.0, abs=0.01) and second == pytest.approx(3.5, abs=0.01)
    assert not loud[int(2.6 * RATE) : int(3.4 * RATE)].any()  # silence between them
    assert not loud[: 2 * RATE].any() and not loud[int(4.0 * RATE) :].any()


@pytest.fixture(scope="module")
def narrated(tmp_path_factory):
    """Chapter 12 rendered at 480p15 with the voice, as a user runs it."""
    out = tmp_path_factory.mktemp("narrated")
    command = [sys.executable, "-m", "video", "--quality", "low", "--chapters", "12"]
    command += ["--voice", "--output", str(out), "--jobs", "1"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    folder = out / "fluffy-creature" / "low"
    return folder, Path(result.stdout.strip().splitlines()[-1])


def test_sound_in_the_chapter_its_clips_and_the_joined_video(narrated):
    folder, joined = narrated
    chapter = folder / "chapters" / "ch12_ending.mp4"
    clips = sorted((folder / "chapters" / "sections" / "ch12_ending").glob("*.mp4"))
    assert len(clips) >= 5
    for video in (chapter, joined, *clips):
        sound = decoded_sound(video)
        assert abs(len(sound) / RATE - video_duration(video)) <= 0.1, video.name


def test_each_beat_is_spoken_from_its_section_start_to_before_the_next(narrated):
    folder, _ = narrated
    track = decoded_sound(folder / "chapters" / "ch12_ending.mp4")
    index = json.loads(
        (folder / "chapters" / "sections" / "ch12_ending" / "Ending.json").read_text()
    )
    said = json.loads((folder / "chapters" / "ch12_ending.speech.json").read_text())
    frame = 1 / 15
    sections = {name: (start, duration) for name, start, duration in section_starts(index)}
    # every section is spoken, the title card ("Chapter 12: Ending.") too
    assert [entry["beat"] for entry in said] == [name for name, _, _ in section_starts(index)]
    assert said[0]["text"] == "Chapter twelve: Ending."
    meter = pyloudnorm.Meter(RATE)
    assert abs(meter.integrated_loudness(track) - LOUDNESS) < 1.0
    for entry in said:
        speech, _ = read_wav(Speaker().say(entry["text"]).path)  # cached by the render
        assert len(speech) / RATE == pytest.approx(entry["seconds"], abs=1e-6)
        start, duration = sections[entry["beat"]]
        assert len(speech) / RATE < duration  # it ends before the next beat starts
        # where the speech sits in the decoded track: the best match near the start
        begin = int(round(start * RATE))
        probe = speech[: RATE // 2]
        window = track[max(0, begin - RATE // 10) : begin + RATE // 10 + len(probe)]
        match = np.correlate(window, probe, mode="valid")
        found = max(0, begin - RATE // 10) + int(np.argmax(match))
        assert abs(found - begin) / RATE <= frame, entry["beat"]
        assert np.sqrt(np.mean(track[begin : begin + len(speech)] ** 2)) > 0.01  # not silent


def test_the_same_example_gives_the_same_sound(narrated, tmp_path):
    folder, _ = narrated
    command = [sys.executable, "-m", "video", "--quality", "low", "--chapters", "12"]
    command += ["--voice", "--output", str(tmp_path), "--jobs", "1"]
    subprocess.run(command, cwd=ROOT, capture_output=True, check=True, timeout=600)
    again = tmp_path / "fluffy-creature" / "low" / "chapters" / "ch12_ending.mp4"
    first = decoded_sound(folder / "chapters" / "ch12_ending.mp4")
    assert np.array_equal(first, decoded_sound(again))
