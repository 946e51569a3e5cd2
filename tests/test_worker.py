"""The warm worker (trialflow.worker): a job script handed to it runs in a forked child with the
job's directory, environment and standard streams, and the job exits with the child's status.

The scripts below stand in for Snakemake's: they set `__real_file__` as Snakemake's preamble
does. Each test gets a short temporary directory of its own, hence a worker of its own, which
the fixture stops afterwards.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest

from trialflow import worker

JOB = """
__real_file__ = __file__
import os, sys
from trialflow.worker import delegate
delegate()
import trialflow.worker as w
print(f"in_worker={w._IN_WORKER} cwd={os.getcwd()} x={os.environ.get('TF_TEST_X')}")
print("a line on stderr", file=sys.stderr)
mode = os.environ.get("TF_TEST_MODE", "ok")
if mode == "fail":
    sys.exit(3)
if mode == "raise":
    raise RuntimeError("boom")
if mode == "sleep":
    with open(os.environ["TF_TEST_PIDFILE"], "w") as f:
        f.write(str(os.getpid()))
    import time
    time.sleep(120)
"""


@pytest.fixture
def short_tmp():
    """A temporary directory with a short path (a Unix socket path is at most ~100 bytes);
    the worker started under it is stopped at the end."""
    path = Path(tempfile.mkdtemp(prefix="tfw"))
    yield path
    for proc in psutil.process_iter(["cmdline"]):
        if any(str(path) in part for part in proc.info["cmdline"] or []):
            proc.kill()
    shutil.rmtree(path, ignore_errors=True)


def run_job(tmp: Path, **env: str) -> subprocess.CompletedProcess:
    script = tmp / "job.py"
    script.write_text(JOB, encoding="utf-8")
    work = tmp / "work"
    work.mkdir(exist_ok=True)
    environ = {k: v for k, v in os.environ.items() if k != "SLURM_JOB_ID"}
    environ.update({"TMPDIR": str(tmp), "TRIALFLOW_WORKER": "1", **env})
    return subprocess.run(
        [sys.executable, str(script)],
        cwd=work,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_job_runs_in_the_worker_with_its_directory_environment_and_streams(short_tmp):
    done = run_job(short_tmp, TF_TEST_X="42")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"in_worker=True cwd={short_tmp / 'work'} x=42"
    assert "a line on stderr" in done.stderr
    assert worker_processes(short_tmp), "the worker keeps running for the next job"
    again = run_job(short_tmp, TF_TEST_X="43")  # the second job finds the running worker
    assert again.stdout.strip() == f"in_worker=True cwd={short_tmp / 'work'} x=43"
    assert len(worker_processes(short_tmp)) == 1


def test_exit_status_and_uncaught_error_reach_the_job(short_tmp):
    failed = run_job(short_tmp, TF_TEST_MODE="fail")
    assert failed.returncode == 3
    assert "in_worker=True" in failed.stdout
    raised = run_job(short_tmp, TF_TEST_MODE="raise")
    assert raised.returncode == 1
    assert "RuntimeError: boom" in raised.stderr


@pytest.mark.parametrize("env", [{"TRIALFLOW_WORKER": "0"}, {"SLURM_JOB_ID": "17"}])
def test_disabled_or_in_a_slurm_job_the_script_runs_in_its_own_process(short_tmp, env):
    done = run_job(short_tmp, **env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("in_worker=False ")
    assert not worker_processes(short_tmp)


def test_without_a_usable_socket_path_the_script_runs_in_its_own_process(short_tmp):
    deep = short_tmp / ("d" * 90)
    deep.mkdir()
    done = run_job(short_tmp, TMPDIR=str(deep))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("in_worker=False ")


def test_a_killed_job_takes_its_child_with_it(short_tmp):
    pidfile = short_tmp / "child.pid"
    script = short_tmp / "job.py"
    script.write_text(JOB, encoding="utf-8")
    environ = {k: v for k, v in os.environ.items() if k != "SLURM_JOB_ID"}
    environ.update(
        {"TMPDIR": str(short_tmp), "TF_TEST_MODE": "sleep", "TF_TEST_PIDFILE": str(pidfile)}
    )
    job = subprocess.Popen([sys.executable, str(script)], cwd=short_tmp, env=environ)
    deadline = time.monotonic() + 60
    while not pidfile.exists() or not pidfile.read_text():
        assert time.monotonic() < deadline and job.poll() is None
        time.sleep(0.05)
    child = int(pidfile.read_text())
    assert child != job.pid
    job.send_signal(signal.SIGKILL)
    job.wait()
    deadline = time.monotonic() + 10
    while psutil.pid_exists(child) and psutil.Process(child).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "the worker's child outlived its job"
        time.sleep(0.05)


def test_delegate_outside_a_snakemake_job_does_nothing(monkeypatch):
    main = sys.modules["__main__"]
    monkeypatch.delattr(main, "__real_file__", raising=False)
    monkeypatch.setenv("TRIALFLOW_WORKER", "1")
    monkeypatch.delenv("SLURM_JOB_ID", raising=False)
    assert worker.delegate() is None


def test_enabled_reads_the_switch_and_slurm():
    assert worker.enabled({})
    assert worker.enabled({"TRIALFLOW_WORKER": "1"})
    assert not worker.enabled({"TRIALFLOW_WORKER": "0"})
    assert not worker.enabled({"SLURM_JOB_ID": "5"})


def worker_processes(tmp: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmd = proc.info["cmdline"] or []
        if any("trialflow.worker import serve" in part for part in cmd) and any(
            str(tmp) in part for part in cmd
        ):
            found.append(proc)
    return found


def test_the_worker_preloads_nothing_that_starts_unforkable_threads():
    """polars starts Rust thread pools when imported; a forked child could deadlock on them."""
    code = (
        "import importlib, sys; from trialflow import worker as w\n"
        "for m in w.PRELOAD_FIRST + w.PRELOAD_LATER: importlib.import_module(m)\n"
        "print(sorted(m for m in ('polars', 'rtflite', 'trialflow.report') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
