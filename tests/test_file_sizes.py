"""No Python file of the project reaches 400 lines (migrations and tests aside): a file that
grows that long holds more than one responsibility and is split into cohesive modules."""

import os
from pathlib import Path

MAX_LINES = 400
PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Directories never walked: generated code, tests, and whatever is not the project's source.
SKIPPED_DIRECTORIES = {"migrations", "tests", "node_modules", "__pycache__"}


def python_files(root: Path) -> list[Path]:
    """Every .py file under `root`, outside hidden directories (.venv, .git, .data...) and the skipped ones."""
    found = []
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = sorted(
            name for name in subdirectories if not name.startswith(".") and name not in SKIPPED_DIRECTORIES
        )
        found.extend(Path(directory) / name for name in sorted(files) if name.endswith(".py"))
    return found


def line_count(path: Path) -> int:
    with path.open("rb") as source:
        return sum(1 for _ in source)


def oversized(root: Path, limit: int = MAX_LINES) -> list[str]:
    """`path: N lines` for each file of `limit` lines or more, longest first."""
    counted = [(line_count(path), path.relative_to(root).as_posix()) for path in python_files(root)]
    return [f"{path}: {lines} lines" for lines, path in sorted(counted, reverse=True) if lines >= limit]


def test_every_project_python_file_is_under_400_lines():
    files = python_files(PROJECT_ROOT)

    too_long = oversized(PROJECT_ROOT)

    assert len(files) > 100, "the walk should find the project's modules"
    assert not too_long, f"split these into cohesive modules (limit {MAX_LINES} lines):\n" + "\n".join(too_long)


def test_a_file_of_400_lines_is_named_and_migrations_tests_and_hidden_directories_are_not(tmp_path):
    # given a project with one module at the limit, one just under it, and long files where they are allowed
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "big.py").write_text("x = 1\n" * MAX_LINES)
    (tmp_path / "app" / "fine.py").write_text("x = 1\n" * (MAX_LINES - 1))
    for allowed in ("app/migrations", "tests", ".venv/lib"):
        (tmp_path / allowed).mkdir(parents=True)
        (tmp_path / allowed / "long.py").write_text("x = 1\n" * 1000)

    # when the checker walks it
    too_long = oversized(tmp_path)

    # then only the module at the limit is named, with its length
    assert too_long == ["app/big.py: 400 lines"]
