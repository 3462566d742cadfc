"""Command lines as users run them: bad input gets one line on stderr and exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, input=stdin, timeout=120
    )


def _one_line_error(result: subprocess.CompletedProcess) -> str:
    err = result.stderr.decode("utf-8", "replace").strip()
    assert result.returncode == 2, err
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    return err


def _broken_files(tmp: Path) -> dict[str, Path]:
    files = {
        "malformed": "title = \n",
        "missing-sentence": 'title = "x"\n',
        "wrong-type": 'title = "x"\nsentence = 3\n',
        "unknown-field": 'title = "x"\nsentence = "a b"\ncolour = "red"\n',
        "bad-role": 'title = "x"\nsentence = "a b"\n[words]\nb = "adjective"\n',
        "empty-sentence": 'title = "x"\nsentence = "   "\n',
        "both": 'title = "x"\nsentence = "a"\nphrases = ["b"]\n',
    }
    paths = {}
    for name, text in files.items():
        paths[name] = tmp / f"{name}.toml"
        paths[name].write_text(text)
    paths["not-utf8"] = tmp / "not-utf8.toml"
    paths["not-utf8"].write_bytes(b'title = "\xff\xfe"\nsentence = "a"\n')
    paths["missing"] = tmp / "does-not-exist.toml"
    return paths


@pytest.mark.parametrize(
    "args",
    [
        ["--sentence", ""],
        ["--sentence", "   \t "],
        ["--sentence", "a\x07b"],
        ["--sentence", "word " * 65],
        ["--sentence", "x" * 2001],
        ["--sentence", "tiny:adjective robot"],
        ["--example", "no-such-example"],
        ["--dims", "gpt5"],
    ],
)
def test_trace_bad_input(args):
    err = _one_line_error(run("-m", "attention_math", "trace", *args))
    assert "error" in err


@pytest.mark.parametrize(
    "name",
    [
        "malformed",
        "missing-sentence",
        "wrong-type",
        "unknown-field",
        "bad-role",
        "empty-sentence",
        "both",
        "not-utf8",
        "missing",
    ],
)
def test_trace_broken_example_files_name_the_file(tmp_path, name):
    path = _broken_files(tmp_path)[name]
    err = _one_line_error(run("-m", "attention_math", "trace", "--example", str(path)))
    assert path.name in err


def test_trace_json_layout_and_unknown_words():
    # "glorpy" is marked inline, the tagger places "zorb", nothing places "שלום"
    result = run("-m", "attention_math", "trace", "--sentence", "a glorpy:adj zorb שלום ran")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data["tokens"] == ["a", "glorpy", "zorb", "שלום", "ran"]
    assert data["format"] == 2  # d_model and d_head (format 1: d_embed and d_key)
    assert data["d_model"] == 12_288 and data["d_head"] == 128
    err = result.stderr.decode()
    assert "שלום" in err and "zorb" not in err and "glorpy" not in err
    head = data["heads"][0]
    n = len(data["tokens"])
    for i in range(n):  # [key][query]: key i is hidden from earlier queries j < i
        for j in range(n):
            assert (head["scores"][i][j] is None) == (i > j)
            assert (head["pattern"][i][j] == 0.0) if i > j else head["pattern"][i][j] > 0
    for j in range(n):  # softmax runs down each column, the head's sink included
        assert abs(sum(head["pattern"][i][j] for i in range(n)) + head["sink"][j] - 1) < 1e-5
    assert head["sink_score"] > 0


def test_params_gpt3_prints_the_attention_total():
    out = run("-m", "attention_math", "params", "--dims", "gpt3").stdout.decode()
    assert "57,982,058,496" in out and "175,181,291,520" in out


def test_user_text_is_data_not_markup():
    nasty = r"\input{/etc/passwd} #read(\"/etc/passwd\") <span>x</span> $x$ & % _ { } ~ ^"
    result = run("-m", "attention_math", "trace", "--sentence", nasty)
    assert result.returncode == 0
    tokens = json.loads(result.stdout)["tokens"]
    assert "input" in tokens and "span" in tokens and "root" not in result.stdout.decode()


@pytest.mark.parametrize(
    "args",
    [
        ["--sentence", ""],
        ["--sentence", "  \t "],
        ["--sentence", "word " * 3000],
        ["--sentence", "a sentence with \x07 a bell"],
        ["--sentence", "x" * 2001],
        ["--chapters", "99"],
        ["--chapters", "Nope"],
        ["--quality", "ultra"],
        ["--jobs", "0"],
        ["--example", "no-such-example"],
        ["--output", "/proc/forbidden"],
        ["frobnicate"],
    ],
)
def test_render_rejects_bad_input_before_rendering(args, tmp_path):
    err = _one_line_error(run("-m", "video", *args))
    assert "error" in err


@pytest.mark.parametrize("name", ["malformed", "bad-role", "not-utf8", "missing"])
def test_render_rejects_broken_example_files_before_rendering(tmp_path, name):
    path = _broken_files(tmp_path)[name]
    err = _one_line_error(run("-m", "video", "--example", str(path), "--output", str(tmp_path)))
    assert path.name in err
    assert not list(tmp_path.glob("**/*.mp4"))


def test_render_list_prints_the_chapters_in_order():
    out = run("-m", "video", "list").stdout.decode().splitlines()
    assert [int(line.split()[0]) for line in out] == list(range(1, 14))


def test_undecodable_bytes_in_a_sentence_are_rejected():
    result = subprocess.run(
        [sys.executable.encode(), b"-m", b"attention_math", b"trace", b"--sentence", b"a \xff b"],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
    )
    err = _one_line_error(result)
    assert "not valid UTF-8 (the byte 0xFF" in err


@pytest.mark.parametrize("text", ["\U000e0001 tag", "a \u202e b"])
def test_render_rejects_undrawable_or_control_characters(text):
    err = _one_line_error(run("-m", "video", "--sentence", text, "--output", "/tmp"))
    assert "U+" in err


def test_trace_real_model_json_has_every_head_in_screen_layout():
    result = run("-m", "attention_math", "trace", "--model", "smollm2", "--sentence", "the cat sat")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["model"] == "SmolLM2-135M-Instruct (4-bit)"
    assert data["tokens"] == ["the", " cat", " sat"]
    assert len(data["heads"]) == data["n_layers"] * data["n_heads"] == 270
    for head in data["heads"][:20]:
        n = len(data["tokens"])
        for j in range(n):
            assert abs(sum(head["pattern"][i][j] for i in range(n)) - 1) < 1e-5
            assert all(head["scores"][i][j] is None for i in range(j + 1, n))
    assert data["head_finder"]["previous_token"][0]["id"].startswith("L")


def _run_env(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ATTENTION_")}
    return subprocess.run(
        [sys.executable, "-m", "video", *args],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        env={**clean, **env},
    )


def test_render_takes_the_example_from_the_plain_manim_variables(tmp_path, monkeypatch, capsys):
    # no --sentence/--example: ATTENTION_SENTENCE chooses (its unknown word is reported);
    # an option on the command line wins over the environment
    for name in ("ATTENTION_EXAMPLE", "ATTENTION_SEED"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ATTENTION_SENTENCE", "a שלום robot")
    plan = _plan(monkeypatch, "--output", str(tmp_path), "--chapters", "3")
    assert plan.source.sentence == "a שלום robot"
    assert "'שלום'" in capsys.readouterr().err
    plan = _plan(monkeypatch, "--sentence", "a blue robot", "--output", str(tmp_path))
    assert plan.source.sentence == "a blue robot"
    assert "שלום" not in capsys.readouterr().err


@pytest.mark.parametrize(
    "env, message",
    [
        ({"ATTENTION_SENTENCE": "a robot", "ATTENTION_EXAMPLE": "tiny-robot"}, "only one"),
        ({"ATTENTION_SEED": "abc"}, "ATTENTION_SEED"),
        ({"ATTENTION_EXAMPLE": "no-such-example"}, "no-such-example"),
    ],
)
def test_bad_environment_variables_get_one_line(env, message):
    result = _run_env(env, "--chapters", "1")
    err = result.stderr.decode().strip()
    assert result.returncode == 2 and len(err.splitlines()) == 1 and "Traceback" not in err
    assert message in err


def _plan(monkeypatch, *argv: str):
    """``plan_from_args`` as the command runs it, with GPT-2 sizes (faster)."""
    import attention_math
    import video.cli
    from scenes import settings

    def small_traces(example, seed):
        return attention_math.build_traces(example, dims="gpt2-small", seed=seed)

    monkeypatch.setattr(settings, "build_traces", small_traces)
    monkeypatch.setattr(settings, "warm_head_weights", lambda example, seed: None)
    return video.cli.plan_from_args(video.cli.render_parser().parse_args(list(argv)))


# -- issue 16: faults a careful user hits ------------------------------------------------


def _one_error_line(result: subprocess.CompletedProcess, program: str) -> str:
    err = _one_line_error(result)
    assert err.startswith(f"{program}: error: "), err
    return err


@pytest.mark.parametrize(
    "args, program, message",
    [
        (["-m", "video", "--seed", "-1"], "render.sh", "0 to 4294967295"),
        (["-m", "video", "--seed=-7"], "render.sh", "0 to 4294967295"),
        (["-m", "video", "--seed", "99999999999999999999"], "render.sh", "0 to 4294967295"),
        (["-m", "video", "--seed", "1.5"], "render.sh", "whole number"),
        (["-m", "video", "trace", "--seed", "-1"], "render.sh", "0 to 4294967295"),
        (["-m", "video", "params", "--dims", "gpt5"], "render.sh", "gpt5"),
        (["-m", "video", "trace", "--sentence", ""], "render.sh", "empty"),
        (["-m", "video", "trace", "--bogus"], "render.sh", "--bogus"),
        (["-m", "attention_math", "trace", "--seed", "-1"], "attention_math", "0 to"),
        (["-m", "attention_math", "trace", "--digits", "-3"], "attention_math", "0 to 17"),
        (["-m", "attention_math", "trace", "--sentence", "a:b"], "attention_math", "role"),
        (["-m", "attention_math", "params", "--dims", "x"], "attention_math", "'x'"),
    ],
)
def test_every_error_is_one_line_in_one_form(args, program, message):
    err = _one_error_line(run(*args), program)
    assert message in err


def test_a_bad_seed_in_the_environment_is_one_line():
    for value in ("-1", "4294967296", "seven"):
        result = _run_env({"ATTENTION_SEED": value}, "--chapters", "3")
        err = _one_error_line(result, "render.sh")
        assert "ATTENTION_SEED" in err and "Traceback" not in err


@pytest.mark.parametrize("chapters", ["", " ", ",", " , ,", "5-3"])
def test_a_blank_chapter_selection_is_an_error_not_everything(chapters):
    err = _one_error_line(run("-m", "video", "--chapters", chapters), "render.sh")
    assert "chapter" in err or "range" in err


@pytest.mark.parametrize("output", ["", "   "])
def test_an_empty_output_folder_is_refused(output):
    err = _one_error_line(run("-m", "video", "--output", output), "render.sh")
    assert "output" in err


@pytest.mark.parametrize(
    "example, message",
    [
        ("/dev/zero", "not a regular file"),
        ("/dev/null", "not a regular file"),
        ("/tmp", "is a folder"),
        ("/tmp/", "is a folder"),
        ("nowhere/x.toml", "no such file"),
    ],
)
def test_example_paths_that_are_not_example_files_are_refused(example, message):
    for command in (["-m", "video"], ["-m", "attention_math", "trace"]):
        result = run(*command, "--example", example)
        program = "attention_math" if "attention_math" in command else "render.sh"
        err = _one_error_line(result, program)
        assert message in err and example.rstrip("/").split("/")[-1] in err


def test_a_huge_example_file_is_refused_without_reading_it_all(tmp_path):
    path = tmp_path / "huge.toml"
    with path.open("wb") as file:  # 64 MB of one long phrase, mostly a hole
        file.write(b'title = "x"\nsentence = "')
        file.seek(64 * 2**20)
        file.write(b'"\n')
    err = _one_error_line(run("-m", "video", "--example", str(path)), "render.sh")
    assert "huge.toml" in err and "too large" in err


def test_relative_paths_are_read_from_the_folder_the_user_ran_render_sh_in(tmp_path):
    caller, elsewhere = tmp_path / "caller", tmp_path / "project"
    caller.mkdir()
    elsewhere.mkdir()
    (caller / "mine.toml").write_text('title = "Mine"\nsentence = "a small grey cat"\n')
    (caller / "out").write_text("a file, not a folder: the render stops before it starts")
    env = {**os.environ, "ATTENTION_CALLER_DIR": str(caller), "OPENBLAS_NUM_THREADS": "1"}
    for name in ("ATTENTION_SENTENCE", "ATTENTION_EXAMPLE", "ATTENTION_SEED"):
        env.pop(name, None)

    def from_elsewhere(*args):
        return subprocess.run(
            [sys.executable, "-m", *args], cwd=elsewhere, env=env, capture_output=True, timeout=300
        )

    # --example mine.toml is the caller's file; --output out/videos is under the caller's
    # folder (where "out" is a file, so the command stops, naming the folder it meant)
    result = from_elsewhere("video", "--example", "mine.toml", "--output", "out/videos")
    err = _one_error_line(result, "render.sh")
    assert f"cannot write to the output folder {caller / 'out' / 'videos' / 'mine-'}" in err
    result = from_elsewhere("video", "trace", "--example", "./mine.toml", "--dims", "gpt2-small")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["tokens"] == ["a", "small", "grey", "cat"]
    assert not list(elsewhere.iterdir())  # nothing written where the command ran


def test_output_folders_never_collide(tmp_path, monkeypatch):
    for name in ("ATTENTION_SENTENCE", "ATTENTION_EXAMPLE", "ATTENTION_SEED"):
        monkeypatch.delenv(name, raising=False)
    out = ["--output", str(tmp_path)]
    other = tmp_path / "elsewhere" / "tiny-robot.toml"
    other.parent.mkdir()
    other.write_text('title = "Another robot"\nsentence = "a huge blue robot"\n')
    plans = {
        "A cat sat.": _plan(monkeypatch, "--sentence", "A cat sat.", *out),
        "a cat sat": _plan(monkeypatch, "--sentence", "a cat sat", *out),
        "a cat sat 🐱": _plan(monkeypatch, "--sentence", "a cat sat 🐱", *out),
        "tiny-robot": _plan(monkeypatch, "--example", "tiny-robot", *out),
        "file": _plan(monkeypatch, "--example", str(other), *out),
        "seed 7": _plan(monkeypatch, "--example", "tiny-robot", "--seed", "7", *out),
        "seed 2024": _plan(monkeypatch, "--example", "tiny-robot", "--seed", "2024", *out),
    }
    folders = {key: plan.out_dir for key, plan in plans.items()}
    assert folders["tiny-robot"] == tmp_path / "tiny-robot" / "medium"
    assert folders["seed 2024"] == folders["tiny-robot"]  # the default seed, said or not
    assert folders["seed 7"] == tmp_path / "tiny-robot-seed7" / "medium"
    assert plans["seed 7"].video_path.name == "tiny-robot-seed7.mp4"
    assert folders["a cat sat"].parent.name.startswith("a-cat-sat-")
    distinct = {k: v for k, v in folders.items() if k != "seed 2024"}
    assert len(set(distinct.values())) == len(distinct), folders
    assert all(f.parent.parent == tmp_path for f in folders.values()), folders


def test_plain_manim_with_a_bad_sentence_prints_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTENTION_")}
    manim = Path(sys.executable).parent / "manim"
    scene = ROOT / "scenes" / "ch03_attention_pattern.py"
    for sentence, message in [("", "the sentence is empty"), ("x:badrole", "unknown role")]:
        result = subprocess.run(
            [str(manim), "-ql", "--media_dir", str(tmp_path), str(scene), "AttentionPattern"],
            cwd=tmp_path,
            env={**env, "ATTENTION_SENTENCE": sentence, "OPENBLAS_NUM_THREADS": "1"},
            capture_output=True,
            timeout=300,
        )
        err = _one_error_line(result, "attention")
        assert err.startswith("attention: error: ATTENTION_SENTENCE: ") and message in err
        assert "Traceback" not in result.stdout.decode("utf-8", "replace")


@pytest.mark.parametrize(
    "sentence",
    [
        "?!...",  # only punctuation
        "👍 🎉 👨‍👩‍👧",  # only emoji
        r"$\input{x}$ <b>bold</b> #set page(width: 1cm) \\ &amp;",  # TeX, markup, Typst
        "the big cat שלום مرحبا नमस्ते sat",
    ],
)
def test_unusual_but_drawable_sentences_are_accepted(sentence, tmp_path, monkeypatch):
    for name in ("ATTENTION_SENTENCE", "ATTENTION_EXAMPLE", "ATTENTION_SEED"):
        monkeypatch.delenv(name, raising=False)
    plan = _plan(monkeypatch, "--sentence", sentence, "--output", str(tmp_path))
    assert plan.source.sentence == sentence and plan.out_dir.parent.parent == tmp_path


@pytest.mark.parametrize(
    "sentence, message",
    [
        ("x" * 5000, "limit is 2000"),
        ("the " + "x" * 1900 + " cat", "limit is 40"),
        ("a z" + "\u0301" * 50, "combining marks"),
        ("a \u2800 braille blank", "draws nothing"),
        ("a \u200d joiner", "U+200D"),
        ("a \u200f mark", "U+200F"),
    ],
)
def test_sentences_no_chapter_can_show_are_refused(sentence, message):
    err = _one_error_line(run("-m", "video", "--sentence", sentence), "render.sh")
    assert message in err


def test_a_lone_surrogate_in_the_environment_is_one_line():
    result = subprocess.run(
        [sys.executable.encode(), b"-m", b"video", b"--chapters", b"3"],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        env={
            **{k.encode(): v.encode() for k, v in os.environ.items() if "ATTENTION" not in k},
            b"ATTENTION_SENTENCE": b"a \xed\xa0\x80 b",  # a UTF-8-encoded surrogate
        },
    )
    err = _one_error_line(result, "render.sh")
    assert "ATTENTION_SENTENCE" in err and "not valid UTF-8 (the byte 0xED" in err


def test_no_captions_reaches_the_render_processes_and_the_reuse_key(monkeypatch, tmp_path):
    from video.build import chapter_job
    from video.reuse import chapter_key

    on = _plan(monkeypatch, "--chapters", "1", "--output", str(tmp_path))
    off = _plan(monkeypatch, "--chapters", "1", "--output", str(tmp_path), "--no-captions")
    assert on.captions and not off.captions
    chapter = on.chapters[0]
    assert chapter_job(on, chapter, tmp_path, 1)["captions"] is True
    assert chapter_job(off, chapter, tmp_path, 1)["captions"] is False
    assert chapter_key(on, chapter, "digest") != chapter_key(off, chapter, "digest")
