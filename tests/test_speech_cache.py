"""The speech cache and Piper's process (voice/cache.py, voice/piper.py, issue 25): the cache may be
deleted at any time and its files damaged, and nothing breaks or is used silently;
every write is atomic; the cache is checked before a render; Piper's folder and process
end with the process that started it, however it ends; Piper reads no markup."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import wave
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from voice import cache as speech_cache
from voice import wav
from voice.cache import CACHE_VARIABLE, check_cache
from voice.piper import PIPER_OPTIONS, Speaker, one_thread_model, piper_program, voice_model
from voice.service import RATE, VoiceError, speech_service
from voice.track import chapter_track
from voice.verbalise import verbalise
from voice.wav import atomic_write, read_wav, write_wav

ROOT = Path(__file__).resolve().parent.parent
LINE = "Keys answer queries. Values carry what is passed on."
OTHER = "Values carry what is passed on. Softmax makes weights."  # shares one sentence


@contextmanager
def deadline(seconds: int):
    """Fail, rather than hang, if the block takes longer than ``seconds`` (a FIFO read
    before the fix blocked for ever)."""

    def expired(*_):
        raise TimeoutError(f"still running after {seconds} s")

    before = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, before)


@dataclass
class Golden:
    """A cache holding :data:`LINE` (its utterance and two sentences), and their bytes."""

    cache: Path
    utterance: str  # the utterance's file name
    sentences: list[str]  # the sentences' file names, in order
    files: dict[str, bytes]  # every file's bytes, by its path relative to the cache

    def copy(self, to: Path) -> Path:
        shutil.copytree(self.cache, to)
        return to


@pytest.fixture(scope="module")
def golden(tmp_path_factory) -> Golden:
    cache = tmp_path_factory.mktemp("golden") / "cache"
    with Speaker(cache=cache) as speaker:
        pending = speaker.ask(LINE)
        pending.result()
    files = {
        str(path.relative_to(cache)): path.read_bytes()
        for path in cache.rglob("*.wav")
        if "voice" not in path.parts
    }
    return Golden(cache, pending.path.name, [part.name for part in pending.parts], files)


def leftovers(folder: Path) -> list[Path]:
    """Temporary files of unfinished writes."""
    return [path for path in folder.rglob("*") if path.name.endswith(".partial")]


def assert_cache_holds(cache: Path, golden: Golden) -> None:
    """Every file of the golden cache is in ``cache``, byte for byte, and nothing half-written."""
    for name, data in golden.files.items():
        assert (cache / name).read_bytes() == data, name
    assert not leftovers(cache)


# ------------------------------------------------------------- damaged files


def zero_bytes(path: Path) -> None:
    path.write_bytes(b"")


def truncated(path: Path) -> None:
    """Cut short, its header intact (it still says how long the data was)."""
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def header_only(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:44])


def zero_filled(path: Path) -> None:
    """As a crash can leave a file: its length, zeros inside."""
    path.write_bytes(bytes(path.stat().st_size))


def one_sample_changed(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-100] ^= 0x40
    path.write_bytes(bytes(data))


def _rewritten(path: Path, channels: int, rate: int) -> None:
    samples, _ = read_wav(path)
    pcm = (samples * 32767).astype("<i2").tobytes()
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm)


def another_rate(path: Path) -> None:
    _rewritten(path, 1, 16_000)


def stereo(path: Path) -> None:
    _rewritten(path, 2, RATE)


def without_checksum(path: Path) -> None:
    """A plain WAV, as written before checksums (or by another program)."""
    _rewritten(path, 1, RATE)


def longer_data_than_riff(path: Path) -> None:
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, 4, len(data) - 100)
    path.write_bytes(bytes(data))


def not_a_wav(path: Path) -> None:
    path.write_bytes(b"ID3\x03" + bytes(500))


def a_device(path: Path) -> None:
    path.unlink()
    path.symlink_to("/dev/zero")


def a_pipe(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def an_empty_folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


DAMAGES = [
    zero_bytes,
    truncated,
    header_only,
    zero_filled,
    one_sample_changed,
    another_rate,
    stereo,
    without_checksum,
    longer_data_than_riff,
    not_a_wav,
    a_device,
    a_pipe,
    an_empty_folder,
]


@pytest.mark.parametrize("damage", DAMAGES, ids=lambda f: f.__name__)
def test_a_damaged_utterance_is_made_again_not_used(golden, tmp_path, damage):
    cache = golden.copy(tmp_path / "cache")
    damage(cache / golden.utterance)
    with deadline(60), Speaker(cache=cache) as speaker:
        speech_ = speaker.say(LINE)
        assert speaker._process is None  # its sentences were intact: no Piper needed
    assert speech_.path == cache / golden.utterance
    assert_cache_holds(cache, golden)


@pytest.mark.parametrize("damage", DAMAGES, ids=lambda f: f.__name__)
def test_a_damaged_sentence_is_said_again_not_used(golden, tmp_path, damage):
    cache = golden.copy(tmp_path / "cache")
    (cache / golden.utterance).unlink()  # the utterance is made from its sentences
    damage(cache / "sentences" / golden.sentences[0])
    with deadline(60), Speaker(cache=cache) as speaker:
        pending = speaker.ask(LINE)
        assert [part for _, part in speaker._waiting] == [pending.parts[0]]  # only that one
        pending.result()
    assert_cache_holds(cache, golden)


@pytest.mark.parametrize("damage", [zero_bytes, truncated, one_sample_changed, a_pipe])
def test_a_damaged_speech_file_is_one_clear_error_for_the_sound_track(tmp_path, damage):
    tone = 0.3 * np.sin(np.arange(RATE) * 2 * np.pi * 440 / RATE)
    path = tmp_path / "beat.wav"
    write_wav(path, tone)
    damage(path)
    index = [{"name": "title card", "duration": "1.0"}, {"name": "one", "duration": "2.0"}]
    with deadline(30), pytest.raises(VoiceError) as caught:
        chapter_track(index, [{"beat": "one", "path": str(path)}], 3.0)
    message = str(caught.value)
    assert message.startswith(f"the speech file {path} cannot be used: ")
    assert "\n" not in message


# ------------------------------------------------------------- a deleted cache


def remove_utterances(cache: Path) -> None:
    for path in cache.glob("*.wav"):
        path.unlink()


def remove_sentences(cache: Path) -> None:
    shutil.rmtree(cache / "sentences", ignore_errors=True)


def remove_voice(cache: Path) -> None:
    shutil.rmtree(cache / "voice", ignore_errors=True)


def remove_everything(cache: Path) -> None:
    shutil.rmtree(cache, ignore_errors=True)


DELETIONS = [remove_utterances, remove_sentences, remove_voice, remove_everything]


@pytest.mark.parametrize("delete", DELETIONS, ids=lambda f: f.__name__)
def test_the_cache_deleted_during_a_render(golden, tmp_path, delete):
    """Deleted between a beat's ask and its result (Piper speaking), and again between two
    beats: every speech comes out whole, the same as from an untouched cache."""
    cache = golden.copy(tmp_path / "cache")
    with Speaker(cache=cache) as speaker:
        asked = speaker.ask(OTHER)  # one sentence from the cache, one from Piper
        delete(cache)
        first = asked.result()
        read_wav(first.path, RATE)  # there and intact as result() returns
        before = first.path.read_bytes()
        delete(cache)
        again = speaker.say(LINE)  # the next beat
        assert again.path.read_bytes() == golden.files[golden.utterance]
        delete(cache)
        assert speaker.say(OTHER).path.read_bytes() == before
    assert not leftovers(cache)


def test_a_result_can_be_copied_whole_whatever_happens_to_the_cache(golden, tmp_path):
    cache = golden.copy(tmp_path / "cache")
    with Speaker(cache=cache) as speaker:
        pending = speaker.ask(LINE)
        assert pending.result().path.exists()
        shutil.rmtree(cache)  # after result(), before the render process copies it
        copy = pending.copy_to(tmp_path / "media" / "speech" / "000.wav")
        assert pending.result().path.read_bytes() == golden.files[golden.utterance]
    assert copy.path.read_bytes() == golden.files[golden.utterance]
    assert copy.seconds == pytest.approx(len(read_wav(copy.path)[0]) / RATE)


def test_a_damaged_copy_of_the_voice_is_made_again(tmp_path):
    model = one_thread_model(tmp_path)
    good = model.read_bytes()
    config = Path(f"{model}.json")
    model.write_bytes(good[: len(good) // 2])  # cut short
    config.write_text("{")
    assert one_thread_model(tmp_path) == model
    assert model.read_bytes() == good
    assert config.read_bytes() == Path(f"{voice_model()}.json").read_bytes()
    assert not leftovers(tmp_path)


# ------------------------------------------------------------- atomic writes


def failing_open(after: int):
    """An ``open`` whose files opened for writing fail with ENOSPC after ``after`` bytes
    (a full disk)."""

    class Full:
        def __init__(self, path, mode):
            self.file = open(path, mode)

        def write(self, data):
            self.file.write(data[:after])
            self.file.flush()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.file.name))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()

    def opened(path, mode="r", *args, **kwargs):
        if set(mode) & set("wxa"):
            return Full(path, mode)
        return open(path, mode, *args, **kwargs)

    return opened


def test_a_failed_write_leaves_nothing_and_is_raised(tmp_path, monkeypatch):
    target = tmp_path / "cache" / "entry.wav"
    atomic_write(target, b"old")
    monkeypatch.setattr(wav, "open", failing_open(10), raising=False)
    with pytest.raises(OSError) as caught:
        atomic_write(target, bytes(1000))
    assert caught.value.errno == errno.ENOSPC and "\n" not in str(caught.value)
    assert target.read_bytes() == b"old"  # the old entry, whole
    assert sorted(p.name for p in target.parent.iterdir()) == ["entry.wav"]


def test_a_sentence_that_cannot_be_kept_is_raised_and_leaves_nothing(tmp_path, monkeypatch):
    """Piper's sentence written into the cache fails half-way (a full disk, where a move
    from Piper's folder to another file system once failed): one OSError, nothing left."""
    cache = tmp_path / "cache"
    with Speaker(cache=cache) as speaker:
        pending = speaker.ask("Keys answer queries.")
        monkeypatch.setattr(wav, "open", failing_open(100), raising=False)
        with pytest.raises(OSError) as caught:
            pending.result()
        assert caught.value.errno == errno.ENOSPC
        assert not leftovers(cache)
        monkeypatch.undo()
        assert read_wav(pending.result().path, RATE)  # the next try writes it
    assert not leftovers(cache)


@pytest.fixture
def small_disk(tmp_path):
    """A 64 KiB file system (tmpfs, where this may mount one)."""
    folder = tmp_path / "small"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_is_one_oserror_and_leaves_nothing(small_disk):
    target = small_disk / "speech" / "entry.wav"
    write_wav(target, np.zeros(1000))
    before = target.read_bytes()
    with pytest.raises(OSError) as caught:
        write_wav(target, np.zeros(RATE * 2))  # 88 KB on a 64 KiB disk
    assert caught.value.errno == errno.ENOSPC
    assert target.read_bytes() == before and not leftovers(small_disk)


# ------------------------------------------------------------- checked before rendering


def test_a_file_for_a_cache_is_refused_before_rendering(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(CACHE_VARIABLE, str(blocker))
    with pytest.raises(VoiceError) as caught:
        check_cache()
    expected = f"the speech cache {blocker} ({CACHE_VARIABLE}) cannot be used: Not a directory"
    assert str(caught.value) == expected
    monkeypatch.setenv(CACHE_VARIABLE, str(blocker / "speech"))  # below a file
    with pytest.raises(VoiceError, match=f"{blocker}: Not a directory$"):
        check_cache()


def test_a_cache_with_a_file_for_a_folder_inside_is_refused(tmp_path):
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "sentences").write_text("")
    with pytest.raises(VoiceError, match="sentences: Not a directory$"):
        check_cache(tmp_path / "cache")


def test_the_default_cache_is_named_without_the_variable(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.delenv(CACHE_VARIABLE, raising=False)
    monkeypatch.setattr(speech_cache, "CACHE", blocker)
    with pytest.raises(VoiceError) as caught:
        check_cache()
    assert str(caught.value) == f"the speech cache {blocker} cannot be used: Not a directory"


def test_checking_a_new_cache_leaves_no_folder(tmp_path):
    folder = tmp_path / "a" / "b" / "speech"
    assert check_cache(folder) == folder
    assert list(tmp_path.iterdir()) == []


def test_a_read_only_cache_is_refused_before_rendering(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() == 0:  # root writes in any folder: a read-only file system
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(folder)],
            capture_output=True,
        )
        if mounted.returncode != 0:
            pytest.skip("cannot mount a read-only tmpfs here")
    else:
        folder.chmod(0o555)
    try:
        for cache in (folder, folder / "speech"):
            with pytest.raises(VoiceError, match=r"cannot be used: .*(Read-only|Permission)"):
                check_cache(cache)
    finally:
        if os.geteuid() == 0:
            subprocess.run(["umount", "-l", str(folder)], check=False)
        else:
            folder.chmod(0o755)


def test_plain_manim_with_an_unusable_speech_cache_prints_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTENTION_")}
    env |= {"ATTENTION_VOICE": "on", CACHE_VARIABLE: str(blocker), "OPENBLAS_NUM_THREADS": "1"}
    manim = Path(sys.executable).parent / "manim"
    scene = ROOT / "scenes" / "ch12_ending.py"
    result = subprocess.run(
        [str(manim), "-ql", "--media_dir", str(tmp_path / "media"), str(scene), "Ending"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2, result.stderr[-2000:]
    lines = [line for line in result.stderr.splitlines() if line.startswith("attention")]
    expected = f"the speech cache {blocker} ({CACHE_VARIABLE}) cannot be used: Not a directory"
    assert lines == [f"attention: error: {expected}"]
    assert "Traceback" not in result.stderr + result.stdout


# ------------------------------------------------------------- Piper's process and folder


def gone(pid: int, within: float) -> bool:
    """Whether process ``pid`` ends (or is a zombie nobody reaps) within ``within`` s."""
    end = time.monotonic() + within
    while time.monotonic() < end:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


CHILD = """
import sys, time
from pathlib import Path
from voice.service import speech_service
speaker = speech_service("piper", work=Path(sys.argv[1]) if sys.argv[2] == "work" else None)
speaker.ask("Keys answer queries. Values carry what is passed on. Softmax makes weights.")
print(speaker._process.pid, flush=True)
time.sleep(120)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's parent-death signal")
@pytest.mark.parametrize("where", ["work", "temporary"])
def test_piper_ends_with_a_render_process_killed_with_sigkill(tmp_path, monkeypatch, where):
    temporary, work, cache = tmp_path / "tmp", tmp_path / "work", tmp_path / "cache"
    temporary.mkdir()
    env = {**os.environ, "TMPDIR": str(temporary), CACHE_VARIABLE: str(cache)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(work), where],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    piper = int(child.stdout.readline())
    child.kill()
    child.wait()
    child.stdout.close()
    assert gone(piper, within=3.0)
    if where == "work":  # all of it in the render's scratch folder, which the pipeline removes
        assert list(temporary.iterdir()) == []
        assert [p.name[:17] for p in work.iterdir()] == ["attention-speech-"]
        return
    # in the temporary folder: the next speaker's Piper removes what the killed one left
    (left,) = temporary.iterdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    with Speaker(cache=cache) as speaker:
        speaker.say("Keys answer queries.")
        assert not left.exists()
    assert list(temporary.iterdir()) == []


def test_closing_a_speaker_stops_piper_at_once_and_leaves_nothing(tmp_path, monkeypatch):
    """What a render process does when it ends (a forked one ends with os._exit, and no
    atexit handler runs)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path / "cache"))
    speaker = speech_service("piper", work=tmp_path / "work")
    speaker.ask(" ".join(f"Sentence number {n} is said." for n in range(1, 9)))
    process, folder = speaker._process, speaker._folder.path
    assert folder.parent == tmp_path / "work"
    start = time.monotonic()
    speaker.close()
    assert time.monotonic() - start < 1.0  # not after eight sentences
    assert process.poll() is not None and not folder.exists()
    assert list((tmp_path / "work").iterdir()) == [] and list((tmp_path / "tmp").iterdir()) == []


def test_piper_killed_or_its_folder_removed_is_started_again(golden, tmp_path):
    cache = golden.copy(tmp_path / "cache")
    with Speaker(cache=cache, work=tmp_path / "work") as speaker:
        asked = speaker.ask(OTHER)
        os.kill(speaker._process.pid, signal.SIGKILL)
        assert read_wav(asked.result().path, RATE)
        remove_everything(cache)
        asked = speaker.ask(LINE)
        shutil.rmtree(speaker._folder.path)
        assert asked.result().path.read_bytes() == golden.files[golden.utterance]
    assert list((tmp_path / "work").iterdir()) == []


def test_relative_folders_mean_the_same_after_a_change_of_folder(tmp_path, monkeypatch):
    """Piper runs in its own folder, and a render process may change folder."""
    monkeypatch.chdir(tmp_path)
    with Speaker(cache=Path("cache"), work=Path("work")) as speaker:
        pending = speaker.ask("Keys answer queries.")
        monkeypatch.chdir(tmp_path / "work")
        assert pending.result().path == tmp_path / "cache" / pending.path.name


def test_a_forked_process_leaves_its_parents_piper_alone(tmp_path):
    with Speaker(cache=tmp_path / "cache", work=tmp_path / "work") as speaker:
        pending = speaker.ask("Keys answer queries.")
        child = os.fork()
        if child == 0:  # what a render process forked from a speaking process may do
            try:
                speaker.close()
            finally:
                os._exit(0)
        os.waitpid(child, 0)
        assert speaker._process.poll() is None and speaker._folder.path.exists()
        assert read_wav(pending.result().path, RATE)


# ------------------------------------------------------------- no markup reaches Piper

PHONEMES = "the cat [[ z z z z z z z z z z z z ]] sat"


def test_piper_reads_brackets_as_characters_not_as_phonemes(tmp_path):
    """Piper's own reading of the line takes "[[ ... ]]" as phonemes (a short buzz); the
    speaker's reads the characters, "zee" twelve times."""
    command = [str(piper_program()), "--model", str(voice_model()), *PIPER_OPTIONS]
    command += ["--output-file", str(tmp_path / "phonemes.wav")]
    subprocess.run(command, input=PHONEMES, text=True, check=True, capture_output=True)
    phonemes = len(read_wav(tmp_path / "phonemes.wav")[0]) / RATE
    with Speaker(cache=tmp_path / "cache") as speaker:
        for text in (PHONEMES, verbalise(f"The sentence “{PHONEMES}”.")):
            pending = speaker.ask(text)
            assert "[" not in pending.text and "]" not in pending.text
            pending.result()
            said = len(read_wav(pending.parts[0])[0]) / RATE
            assert said > phonemes + 2.0, (text, said, phonemes)


def test_control_characters_do_not_stop_piper_and_unsayable_text_is_one_line(tmp_path):
    with Speaker(cache=tmp_path / "cache") as speaker:
        assert speaker.say("a\x00b, and \x01Vfr \x01B1 \ue000 bonjour.\u2028Next!").seconds > 1
        # a sentence with a letter espeak-ng has no sound for: Piper writes nothing and
        # stops, twice: one line, and the speaker goes on
        with pytest.raises(VoiceError) as caught:
            speaker.say("\u0663")
        assert "Piper stopped twice while saying" in str(caught.value)
        assert "\n" not in str(caught.value)
        assert speaker.say("Keys answer queries.").seconds > 0.5
