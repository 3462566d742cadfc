"""Command lines as users run them: bad input gets one line on stderr and exit 2."""

from __future__ import annotations

import json
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
    result = run("-m", "attention_math", "trace", "--sentence", "a glorpy:adj zorb ran")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data["tokens"] == ["a", "glorpy", "zorb", "ran"]
    assert data["d_embed"] == 12_288 and data["d_key"] == 128
    assert b"zorb" in result.stderr and b"glorpy" not in result.stderr
    head = data["heads"][0]
    n = len(data["tokens"])
    for i in range(n):  # [key][query]: key i is hidden from earlier queries j < i
        for j in range(n):
            assert (head["scores"][i][j] is None) == (i > j)
            assert (head["pattern"][i][j] == 0.0) if i > j else head["pattern"][i][j] > 0
    for j in range(n):  # softmax runs down each column
        assert abs(sum(head["pattern"][i][j] for i in range(n)) - 1) < 1e-5


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
    assert "U+DCFF" in err


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
    import os

    clean = {k: v for k, v in os.environ.items() if not k.startswith("ATTENTION_")}
    return subprocess.run(
        [sys.executable, "-m", "video", *args],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        env={**clean, **env},
    )


def test_render_takes_the_example_from_the_plain_manim_variables():
    # no --sentence/--example: ATTENTION_SENTENCE chooses (its unknown word is reported),
    # then the unknown chapter stops the command before anything renders
    result = _run_env({"ATTENTION_SENTENCE": "a glorpy robot"}, "--chapters", "99")
    err = result.stderr.decode()
    assert result.returncode == 2 and "'glorpy'" in err and "Traceback" not in err
    # an option on the command line wins over the environment
    result = _run_env(
        {"ATTENTION_SENTENCE": "a glorpy robot"}, "--sentence", "a blue robot", "--chapters", "99"
    )
    assert result.returncode == 2 and "glorpy" not in result.stderr.decode()


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
