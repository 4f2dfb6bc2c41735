"""README.md and docs/: every relative link and #anchor resolves; every page is linked from the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
README_MAX_LINES = 200

_FENCE = re.compile(r"^(```|~~~)")
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|!\[[^\]]*\]\(([^)\s]+)\)")
_INLINE_CODE = re.compile(r"`[^`]*`")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


def _outside_fences(text: str) -> list[str]:
    """The lines outside fenced code blocks."""
    lines, fenced = [], False
    for line in text.splitlines():
        if _FENCE.match(line.strip()):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


def anchors(text: str) -> set[str]:
    """GitHub's anchors for the headings of a Markdown text (a repeated heading gets -1, -2 ...)."""
    found: set[str] = set()
    for line in _outside_fences(text):
        heading = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if heading is None:
            continue
        slug = re.sub(r"[^\w\- ]", "", heading[1].strip().lower()).replace(" ", "-")
        candidate, n = slug, 0
        while candidate in found:
            n += 1
            candidate = f"{slug}-{n}"
        found.add(candidate)
    return found


def links(text: str) -> list[str]:
    """Link targets in the prose: not in code blocks or inline code."""
    prose = [_INLINE_CODE.sub("", line) for line in _outside_fences(text)]
    return [m[1] or m[2] for line in prose for m in _LINK.finditer(line)]


def dead_links(page: Path) -> list[str]:
    """Relative links of `page` whose file or #anchor does not exist."""
    problems = []
    for target in links(page.read_text(encoding="utf-8")):
        if _SCHEME.match(target):
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        if not resolved.exists():
            problems.append(f"{target}: no such file")
        elif (
            anchor
            and resolved.suffix == ".md"
            and anchor not in anchors(resolved.read_text(encoding="utf-8"))
        ):
            problems.append(f"{target}: no heading #{anchor} in {resolved.name}")
        elif anchor and resolved.suffix != ".md":
            problems.append(f"{target}: an anchor into a file that is not Markdown")
    return problems


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(page: Path) -> None:
    assert dead_links(page) == []


def test_every_docs_page_is_linked_from_the_readme() -> None:
    readme = ROOT / "README.md"
    linked = {
        (readme.parent / t.partition("#")[0]).resolve() for t in links(readme.read_text(encoding="utf-8"))
    }
    pages = set((ROOT / "docs").glob("*.md"))
    assert len(pages) >= 8
    assert sorted(p.name for p in pages if p.resolve() not in linked) == []


def test_the_readme_fits_on_a_screen_or_two() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines: move detail into docs/"


def test_the_checker_finds_a_missing_file_and_a_missing_anchor(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text(
        "# A page\n\n## Set-up: `TOKEN` first\n\n## Set-up: `TOKEN` first\n"
    )
    page = tmp_path / "README.md"
    page.write_text(
        "[ok](docs/a.md#a-page) [dup](docs/a.md#set-up-token-first-1) [code](docs/a.md#set-up-token-first)\n"
        "[gone](docs/b.md) [bad anchor](docs/a.md#nope) [self](#missing) [web](https://example.com/x#y)\n"
        "`[in code](docs/c.md)`\n```\n[in a block](docs/d.md)\n# not a heading\n```\n"
    )
    assert dead_links(page) == [
        "docs/b.md: no such file",
        "docs/a.md#nope: no heading #nope in a.md",
        "#missing: no heading #missing in README.md",
    ]
    assert "not-a-heading" not in anchors(page.read_text())
