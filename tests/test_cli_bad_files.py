"""Every bad file or path given to the command line: exit 2, one line on stderr, no traceback (issue 15, item 4).

Each case runs ``lazyrich`` in this process (``main``) and checks the exit status and that stderr is
exactly one ``lazyrich...error`` line; no case starts real work (the checks run before it).
"""

import json
import sqlite3

import pytest

import lazyrich.sweep
from lazyrich import InvalidParameterError
from lazyrich._tools.cli import main

SPEC = """function = "aligned_agreement"
[fixed]
s_target = 1.7
lam = -0.3
t = 1.0
[grid]
s0 = {grid}
"""


def _run(argv, capsys) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse usage errors
        code = exc.code
    return code, capsys.readouterr().err


def _one_line(err: str) -> None:
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("usage:")]
    assert "Traceback" not in err
    # argparse prints its usage block before the error line; everything else is the one error line
    errors = [line for line in lines if "error:" in line]
    assert len(errors) == 1, err


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "binary.toml").write_bytes(bytes(range(256)))
    (tmp_path / "a_folder.toml").mkdir()
    (tmp_path / "huge.toml").write_text(SPEC.format(grid="{ linspace = [0, 1, 1000000000] }"))
    (tmp_path / "huge_range.toml").write_text(SPEC.format(grid="{ range = [0, 1000000000000] }"))
    (tmp_path / "ok.toml").write_text(SPEC.format(grid="[0.05, 0.5]"))
    (tmp_path / "results.json").write_text(json.dumps([{"id": "x", "symbolic": "maybe", "numeric": "pass"}]))
    (tmp_path / "not_a_list.json").write_text(json.dumps({"id": "x"}))
    (tmp_path / "binary.json").write_bytes(bytes(range(256)))
    return tmp_path


CASES = {
    "binary SPEC": ["sweep", "binary.toml"],
    "folder as SPEC": ["sweep", "a_folder.toml"],
    "missing SPEC": ["sweep", "no_such.toml"],
    "SPEC axis of 1e9 points": ["sweep", "huge.toml"],
    "SPEC range of 1e12 points": ["sweep", "huge_range.toml"],
    "sweep --plot into a missing folder": ["sweep", "ok.toml", "--plot", "no_dir/map.png"],
    "sweep --out into a missing folder": ["sweep", "ok.toml", "--out", "no_dir/out.sqlite"],
    "stress --plot into a missing folder": ["stress", "aligned", "--plot", "no_dir/err.png"],
    "stress --plot is a folder": ["stress", "aligned", "--plot", "a_folder.toml"],
    "stress --n-times 0": ["stress", "aligned", "--n-times", "0"],
    "stress --t-max nan": ["stress", "aligned", "--t-max", "nan"],
    "latex -o into a missing folder": ["latex", "-o", "no_dir/claims.tex"],
    "latex --results with a wrong status": ["latex", "--results", "results.json", "--checks", "none"],
    "latex --results not a list": ["latex", "--results", "not_a_list.json", "--checks", "none"],
    "latex --results binary": ["latex", "--results", "binary.json", "--checks", "none"],
    "latex --results a folder": ["latex", "--results", "a_folder.toml", "--checks", "none"],
    "verify --jobs -1": ["verify", "--jobs", "-1"],
    "latex --jobs x": ["latex", "--jobs", "x"],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_bad_file_or_path_exits_2_with_one_line(name, folder, capsys):
    code, err = _run(CASES[name], capsys)
    assert code == 2, err
    _one_line(err)


def _damaged_store(folder):
    """A finished two-point sweep whose first result row is then damaged on disk."""
    out = folder / "ok.sweep.sqlite"
    lazyrich.sweep.run(str(folder / "ok.toml"), scheduler="threads:1", out=str(out), progress=False)
    with sqlite3.connect(out) as conn:
        conn.execute("UPDATE points SET result = '{broken' WHERE seq = 1")
    return out


def test_a_damaged_store_row_names_its_key_and_the_command_and_a_resume_recomputes_it(folder, capsys):
    out = _damaged_store(folder)
    with pytest.raises(InvalidParameterError, match=r'point \{"s0":0\.05\}.*--out .*ok\.sweep\.sqlite --resume'):
        lazyrich.sweep.load_sweep(out)
    code, err = _run(["sweep", "ok.toml", "--scheduler", "threads:1", "--resume", "-q"], capsys)
    assert code == 0, err
    df = lazyrich.sweep.load_sweep(out)
    assert df["status"].tolist() == ["ok", "ok"]


def test_a_damaged_stored_spec_is_a_typed_error(folder):
    out = _damaged_store(folder)
    with sqlite3.connect(out) as conn:
        conn.execute("UPDATE meta SET value = 'not json' WHERE name = 'spec'")
    with pytest.raises(InvalidParameterError, match="stored SPEC is damaged"):
        lazyrich.sweep.load_sweep(out)
