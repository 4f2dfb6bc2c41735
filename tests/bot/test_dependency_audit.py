"""`./dev.sh audit` tells an audit that could not run from a clean one (issue 16, item 8)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "audit_dependencies.py"


def audit_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_packages_that_could_not_be_looked_up_are_not_a_clean_result() -> None:
    audit = audit_module()
    report = {
        "dependencies": [
            {"name": "aiohttp", "version": "3.14.5", "vulns": []},
            {"name": "yarl", "version": "1.25.1", "skip_reason": "Dependency not found on PyPI"},
        ]
    }
    status, lines = audit.verdict(report)
    assert status == audit.NOT_AUDITED and "NOT AUDITED: 1 of 2 packages" in lines[-1]
    assert audit.verdict({"dependencies": []})[0] == audit.NOT_AUDITED


def test_advisories_and_clean_results() -> None:
    audit = audit_module()
    advisory = {"id": "GHSA-xxxx", "fix_versions": ["3.14.6"]}
    status, lines = audit.verdict(
        {"dependencies": [{"name": "aiohttp", "version": "3.14.5", "vulns": [advisory]}]}
    )
    assert status == audit.VULNERABLE and lines == ["aiohttp 3.14.5: GHSA-xxxx (fixed in 3.14.6)"]
    clean = {"dependencies": [{"name": "aiohttp", "version": "3.14.5", "vulns": []}]}
    assert audit.verdict(clean) == (audit.CLEAN, ["1 locked packages audited: no known advisories."])


def test_an_unreachable_database_is_said_not_reported_clean(tmp_path: Path) -> None:
    """The real pip-audit, with every connection sent to a closed loopback port (no network used)."""
    closed = "http://127.0.0.1:9"
    environment = {"HTTPS_PROXY": closed, "HTTP_PROXY": closed, "NO_PROXY": "", "PATH": "/usr/bin:/bin"}
    finished = subprocess.run(
        [sys.executable, str(SCRIPT), "--timeout", "5"],
        capture_output=True,
        text=True,
        env={**environment, "HOME": str(tmp_path)},
        timeout=300,
        check=False,
    )
    assert finished.returncode == 3, finished.stderr[-500:]
    assert "NOT AUDITED" in finished.stderr and "No known vulnerabilities" not in finished.stdout
