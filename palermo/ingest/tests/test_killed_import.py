"""A real process, killed while it writes an import, leaves nothing half-written; running the
import again completes it. Runs the commands in a separate process against its own SQLite file
(the kill must hit a process that is not the test)."""

from __future__ import annotations

import gzip
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[3]
CTDC = Path(settings.PALERMO_STANDARDS_DIR).parent / "data" / "ctdc-kanon-2021"
PROFILE = ROOT / "palermo" / "ingest" / "profiles" / "ctdc-kanon-2021.json"
NAME = "CTDC global k-anonymised dataset (2021)"
ROWS = 30000


def _env(var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {
        "PALERMO_VAR_DIR": str(var),
        "PALERMO_DEMO": "1",
        "DJANGO_SETTINGS_MODULE": "palermo.settings.dev",
    }
    return env


def _manage(var: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=_env(var),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )


def _count(database: Path, sql: str) -> int:
    with sqlite3.connect(database) as connection:
        return int(connection.execute(sql).fetchone()[0])


def _writing(database: Path) -> bool:
    """Whether the import is inside its write transaction: its batch says "importing" and the
    database's write lock is taken (another writer cannot begin)."""
    if not _count(database, "SELECT COUNT(*) FROM ingest_importbatch WHERE status = 'importing'"):
        return False
    probe = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        probe.close()


def test_a_killed_import_leaves_nothing_and_runs_again(tmp_path) -> None:  # type: ignore[no-untyped-def]
    var = tmp_path / "var"
    var.mkdir()
    database = var / "palermo.sqlite3"
    for command in (["migrate", "-v0"], ["load_geo"], ["load_standard"], ["load_demo", "--force"]):
        _manage(var, *command)
    _manage(var, "save_profile", str(PROFILE), "--org", "GMA", "--as", "gma.datamanager")
    source = tmp_path / "ctdc.csv"
    with gzip.open(CTDC / "ctdc_global_kanon_2021-07-15.csv.gz", "rb") as packed:
        source.write_bytes(b"".join(packed.readline() for _ in range(ROWS + 1)))
    cases_before = _count(database, "SELECT COUNT(*) FROM cases_case")
    command = [
        sys.executable,
        str(ROOT / "manage.py"),
        "import_cases",
        str(source),
        "--mapping",
        NAME,
        "--org",
        "GMA",
        "--as",
        "gma.datamanager",
    ]
    process = subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
        command, env=_env(var), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    try:
        writing = False
        while time.monotonic() < deadline and not writing:
            writing = _writing(database)
            if process.poll() is not None:
                break
            time.sleep(0.002)
        assert process.poll() is None, "the import finished before it could be killed"
        assert writing, "the import never reached its write transaction"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    assert _count(database, "SELECT COUNT(*) FROM ingest_importedrecord") == 0
    assert _count(database, "SELECT COUNT(*) FROM cases_case") == cases_before

    done = _manage(var, *command[2:])
    assert f"{ROWS:,} created" in done.stdout
    assert _count(database, "SELECT COUNT(*) FROM ingest_importedrecord") == ROWS
    assert _count(database, "SELECT COUNT(*) FROM cases_case") == cases_before + ROWS
