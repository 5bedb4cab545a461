"""Production settings: `manage.py check --deploy` is clean with the documented variables."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        # Browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment never does.
        env={**{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_in_production_settings(tmp_path):
    env = {
        "CONGVU_HTTPS": "True",
        "BEHIND_PROXY": "True",
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "congvu.binhminh.gov.vn",
        "CONGVU_VAR_DIR": str(tmp_path),
    }
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_bad_boolean_setting_is_refused_with_its_name(tmp_path):
    result = run_manage("check", env={"DEBUG": "maybe", "CONGVU_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "DEBUG='maybe'" in result.stderr


def test_the_secret_key_is_generated_once_and_kept(tmp_path):
    env = {"CONGVU_VAR_DIR": str(tmp_path)}
    env.pop("SECRET_KEY", None)
    clean = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    for _ in range(2):
        subprocess.run(
            [sys.executable, "manage.py", "check"],
            cwd=ROOT,
            env={**clean, **env},
            capture_output=True,
            check=True,
            timeout=120,
        )
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"
