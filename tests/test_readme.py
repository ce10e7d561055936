"""The README's example claim runs and passes (so the tour cannot rot)."""

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_example_claim_passes():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    example = next(b for b in blocks if "symbolic_check" in b)
    script = (
        example
        + "\nfrom lazyrich import run_claim\nr = run_claim(c)\nassert r.passed, r\nprint(r.symbolic.status, r.numeric.status)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["pass", "pass"]


def test_readme_setup_is_exactly_two_commands():
    text = README.read_text()
    setup = text.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.*?)```", setup, flags=re.S)
    assert [c.strip() for c in commands] == ["pip install . && lazyrich verify", "pip install -e '.[test]' && pytest"]


def test_readme_example_claim_kills_every_mutant_of_its_statement():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    example = next(b for b in blocks if "symbolic_check" in b)
    script = (
        example + "\nfrom lazyrich._tools.mutate import mutate_claim\nr = mutate_claim(c)\nprint(r.mutants, r.killed)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    mutants, killed = map(int, out.stdout.split())
    assert mutants > 0 and killed == mutants
    assert f"changes the statement in {mutants} ways" in README.read_text()
