"""`make test` ends by naming the tests skipped for a missing Debian package and the one command
that installs them (issue #15; the hook is pytest_terminal_summary in the root conftest.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import SimpleNamespace

from congvu.testing import MISSING_PACKAGE

ROOT = Path(__file__).resolve().parents[2]


def _hook():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("root_conftest", ROOT / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.pytest_terminal_summary


class _Reporter:
    def __init__(self, reasons: list[str]) -> None:
        self.stats = {
            "skipped": [SimpleNamespace(longrepr=("x.py", 1, f"Skipped: {r}")) for r in reasons]
        }
        self.lines: list[str] = []

    def section(self, title: str, **_kw: object) -> None:
        self.lines.append(f"== {title}")

    def line(self, text: str) -> None:
        self.lines.append(text)


def test_the_summary_names_the_missing_packages_and_the_install_command():
    reporter = _Reporter(
        [
            f"{MISSING_PACKAGE} chromium",
            f"{MISSING_PACKAGE} chromium",
            f"{MISSING_PACKAGE} poppler-utils (pdftotext)",
            "only under make screenshots",
        ]
    )
    _hook()(reporter, 0, None)
    text = "\n".join(reporter.lines)
    assert "3 kiểm thử bị bỏ qua vì thiếu gói (chromium: 2, poppler-utils: 1)" in text
    assert "sudo apt-get install -y chromium poppler-utils fonts-dejavu-core" in text


def test_nothing_is_said_when_no_package_is_missing():
    reporter = _Reporter(["only under make screenshots"])
    _hook()(reporter, 0, None)
    assert reporter.lines == []
