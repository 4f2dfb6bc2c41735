"""Known advisories for the locked dependencies: `./dev.sh audit` (needs the network; run on demand).

pip-audit checks every pin of requirements.lock against an advisory database (PyPI's, or OSV's with
`-s osv`). It reports "No known vulnerabilities found" even when it could not look a single package
up (a mirror without PyPI's JSON API, no network), so this wrapper reads its JSON report and says
which case it is. Exit status: 0 audited and clean, 1 advisories found, 3 not (fully) audited.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CLEAN, VULNERABLE, NOT_AUDITED = 0, 1, 3


def verdict(report: dict[str, Any]) -> tuple[int, list[str]]:
    """The exit status and the lines to print for pip-audit's JSON report."""
    dependencies = report.get("dependencies") or []
    skipped = [d for d in dependencies if d.get("skip_reason")]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    lines = [
        f"{d['name']} {d.get('version', '?')}: {v.get('id')} (fixed in {_fixes(v)})"
        for d in vulnerable
        for v in d["vulns"]
    ]
    if skipped:
        lines.append(
            f"NOT AUDITED: {len(skipped)} of {len(dependencies)} packages could not be looked up "
            f"(first: {skipped[0]['name']}: {skipped[0]['skip_reason']}). The advisory database is "
            "unreachable from here: this is not a clean result."
        )
    if vulnerable:
        return VULNERABLE, lines
    if skipped or not dependencies:
        return NOT_AUDITED, lines or ["NOT AUDITED: pip-audit reported no packages at all."]
    return CLEAN, [f"{len(dependencies)} locked packages audited: no known advisories."]


def _fixes(advisory: dict[str, Any]) -> str:
    return ", ".join(advisory.get("fix_versions") or []) or "no release yet"


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        report_path = Path(scratch) / "report.json"
        command = [
            sys.executable, "-m", "pip_audit",
            "--requirement", str(ROOT / "requirements.lock"),
            "--disable-pip", "--no-deps",  # the lock is complete and hash-pinned: audit it as written
            "--progress-spinner", "off",
            "--cache-dir", str(ROOT / ".cache" / "pip-audit"),
            "--format", "json", "--output", str(report_path),
            *argv,
        ]  # fmt: skip
        finished = subprocess.run(command, capture_output=True, text=True, check=False)
        if not report_path.exists():
            last = (finished.stderr.strip().splitlines() or ["(no output)"])[-1]
            reason = f"pip-audit could not reach the advisory database: {last[:300]}"
            print(f"NOT AUDITED: {reason}", file=sys.stderr)
            return NOT_AUDITED
        status, lines = verdict(json.loads(report_path.read_text(encoding="utf-8")))
    for line in lines:
        print(line, file=sys.stderr if status else sys.stdout)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
