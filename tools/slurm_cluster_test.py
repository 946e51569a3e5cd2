"""Run the bundled workflow on a real single-node SLURM cluster on this machine, with the SLURM
profile, and check that every output is byte-identical to a local run (`make cluster-test`).

1. Installs the Debian packages slurmctld, slurmd, slurm-client and munge when a program is
   missing (root and apt-get needed; without them the test is skipped with one line).
2. Writes a munge key, a minimal slurm.conf (no accounting storage) and a wrapper for srun into
   a temporary folder, and starts munged, slurmctld and slurmd from there.
3. Runs the workflow locally in one throw-away copy of the project and with
   `--workflow-profile workflow/profiles/slurm` in another, then compares every manifest.json
   and every file under results/ byte for byte.
4. Cancels any job left, stops exactly the daemons it started (by process id) and checks that
   none of them is left running.

With accounting storage off, `sacct` cannot report job states, so a small cluster profile in the
temporary folder sets the plugin's status command to `squeue`; slurm.conf keeps finished jobs
in the controller for an hour (MinJobAge) so that squeue still sees them.

Usage: python tools/slurm_cluster_test.py [--keep]  (the venv's python; exit 0 on pass or skip)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PACKAGES = ["slurmctld", "slurmd", "slurm-client", "munge"]
PROGRAMS = ["munged", "slurmctld", "slurmd", "sbatch", "squeue", "srun", "scancel", "sinfo"]
DAEMON_NAMES = {"munged", "slurmctld", "slurmscriptd", "slurmd", "slurmstepd"}
SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
PARTITION = "trialflow"
LOCAL_TIMEOUT = 20 * 60
SLURM_TIMEOUT = 40 * 60


class Skip(Exception):
    """The machine cannot install the SLURM packages."""


class Failure(Exception):
    """The cluster test failed."""


def say(text: str) -> None:
    print(f"cluster-test: {text}", flush=True)


def program(name: str) -> str | None:
    return shutil.which(name, path=SEARCH_PATH)


def daemon_pids() -> set[int]:
    """Process ids of every munge or SLURM daemon running on this machine."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                comm = (entry / "comm").read_text().strip()
            except OSError:
                continue
            if comm in DAEMON_NAMES:
                pids.add(int(entry.name))
    return pids


def stop_pid(pid: int, name: str, grace: float = 15.0) -> None:
    """SIGTERM one process we started, then SIGKILL if it is still there after `grace` s."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not Path(f"/proc/{pid}").exists() or _is_zombie(pid):
            return
        time.sleep(0.2)
    say(f"{name} (pid {pid}) did not stop on SIGTERM; sending SIGKILL")
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _is_zombie(pid: int) -> bool:
    try:
        return (Path(f"/proc/{pid}") / "stat").read_text().split(")")[-1].split()[0] == "Z"
    except OSError:
        return True


def install_packages() -> float:
    """Install the SLURM and munge packages; returns the seconds it took. Raises Skip."""
    if os.geteuid() != 0:
        raise Skip("not root: cannot install packages or run slurmd")
    missing = [p for p in PROGRAMS if program(p) is None]
    if not missing:
        return 0.0
    apt = program("apt-get")
    if apt is None:
        raise Skip(f"{', '.join(missing)} missing and this machine has no apt-get")
    say(f"installing {' '.join(PACKAGES)} ({', '.join(missing)} missing)")
    start = time.monotonic()
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    before = daemon_pids()
    for cmd in (
        [apt, "update", "-q"],
        [apt, "install", "-y", "-q", "--no-install-recommends", *PACKAGES],
    ):
        done = subprocess.run(
            cmd, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL
        )
        if done.returncode:
            last = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1]
            raise Skip(f"'{' '.join(cmd[1:3])}' failed: {last}")
    # A package's install script may start its service; that one is not ours to keep.
    for pid in sorted(daemon_pids() - before):
        stop_pid(pid, "daemon started by the package install")
    still = [p for p in PROGRAMS if program(p) is None]
    if still:
        raise Failure(f"installed {' '.join(PACKAGES)} but {', '.join(still)} still missing")
    return time.monotonic() - start


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def node_hardware() -> dict[str, str]:
    """This machine as slurmd sees it (`slurmd -C`): NodeName, CPUs, RealMemory, ..."""
    out = subprocess.run(
        [program("slurmd"), "-C"], capture_output=True, text=True, check=True
    ).stdout
    fields = dict(item.split("=", 1) for item in out.split() if "=" in item)
    if not {"NodeName", "CPUs", "RealMemory"} <= fields.keys():
        raise Failure(f"unexpected 'slurmd -C' output: {out.strip()!r}")
    return fields


def slurm_conf(root: Path, node: dict[str, str]) -> str:
    """A minimal single-node slurm.conf: everything under `root`, no accounting storage."""
    host = node["NodeName"]
    # Leave a tenth of the memory to the system; jobs ask for at most a few GB.
    memory = int(int(node["RealMemory"]) * 0.9)
    lines = [
        "ClusterName=trialflowtest",
        f"SlurmctldHost={host}(127.0.0.1)",
        f"SlurmctldPort={free_port()}",
        f"SlurmdPort={free_port()}",
        "SlurmUser=root",
        "SlurmdUser=root",
        "AuthType=auth/munge",
        f"AuthInfo=socket={root / 'munge' / 'munge.socket'}",
        "CredType=cred/munge",
        f"StateSaveLocation={root / 'state'}",
        f"SlurmdSpoolDir={root / 'spool'}",
        f"SlurmctldPidFile={root / 'slurmctld.pid'}",
        f"SlurmdPidFile={root / 'slurmd.pid'}",
        f"SlurmctldLogFile={root / 'slurmctld.log'}",
        f"SlurmdLogFile={root / 'slurmd.log'}",
        "MailProg=/bin/true",
        "ProctrackType=proctrack/linuxproc",
        "TaskPlugin=task/none",
        "JobAcctGatherType=jobacct_gather/none",
        "AccountingStorageType=accounting_storage/none",
        "JobCompType=jobcomp/none",
        "MpiDefault=none",
        "SchedulerType=sched/backfill",
        "SelectType=select/cons_tres",
        "SelectTypeParameters=CR_Core_Memory",
        "ReturnToService=2",
        # Finished jobs stay visible to squeue for an hour: the status command needs them.
        "MinJobAge=3600",
        f"NodeName={host} NodeAddr=127.0.0.1 CPUs={node['CPUs']} RealMemory={memory} State=UNKNOWN",
        # Not the default partition: jobs must name it (TRIALFLOW_SLURM_PARTITION).
        f"PartitionName={PARTITION} Nodes={host} Default=NO MaxTime=INFINITE State=UP",
    ]
    return "\n".join(lines) + "\n"


def copy_project(dest: Path) -> Path:
    """A throw-away project: the bundled config and raw deliveries (the code stays in REPO)."""
    shutil.copytree(REPO / "config", dest / "config")
    shutil.copytree(REPO / "resources" / "raw", dest / "resources" / "raw")
    return dest


def result_files(project: Path) -> dict[str, bytes]:
    results = project / "results"
    return {
        p.relative_to(results).as_posix(): p.read_bytes()
        for p in sorted(results.rglob("*"))
        if p.is_file()
    }


class Cluster:
    """munged, slurmctld and slurmd started from a temporary folder, and stopped again."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.procs: list[tuple[str, subprocess.Popen]] = []
        self.env: dict[str, str] = {}

    def _start(self, name: str, cmd: list[str]) -> None:
        with open(self.root / f"{name}.out", "wb") as log:
            proc = subprocess.Popen(
                cmd,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.env,
                start_new_session=True,
            )
        self.procs.append((name, proc))

    def _wait(self, what: str, ready, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, proc in self.procs:
                if proc.poll() is not None:
                    raise Failure(f"{name} exited with {proc.returncode}: {self.tail(name)}")
            if ready():
                return
            time.sleep(0.5)
        raise Failure(f"timed out waiting for {what}")

    def tail(self, name: str, lines: int = 5) -> str:
        path = self.root / f"{name}.out"
        text = path.read_text(errors="replace") if path.exists() else ""
        return " | ".join(text.strip().splitlines()[-lines:])

    def start(self) -> None:
        root = self.root
        for sub in ("munge", "state", "spool", "bin"):
            (root / sub).mkdir()
        # munged checks that the folders above its socket are reachable by everyone.
        os.chmod(root, 0o711)
        os.chmod(root / "munge", 0o711)
        key = root / "munge" / "munge.key"
        key.write_bytes(os.urandom(1024))
        os.chmod(key, 0o400)
        node = node_hardware()
        conf = root / "slurm.conf"
        conf.write_text(slurm_conf(root, node))
        # The SLURM executor's job step clears SLURM_* variables before it calls srun, so srun
        # would look for the cluster's config in /etc/slurm. A real cluster keeps it there;
        # this throw-away one keeps it here, so srun is reached through a wrapper.
        srun = root / "bin" / "srun"
        srun.write_text(f'#!/bin/sh\nSLURM_CONF={conf} exec {program("srun")} "$@"\n')
        srun.chmod(0o755)
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SLURM_", "SBATCH_", "SRUN_", "SALLOC_", "TRIALFLOW_SLURM_"))
        }
        env["SLURM_CONF"] = str(conf)
        env["PATH"] = os.pathsep.join([str(root / "bin"), str(BIN), env.get("PATH", "")])
        self.env = env
        munge_dir = root / "munge"
        self._start(
            "munged",
            [
                program("munged"),
                "--foreground",
                "--force",
                f"--socket={munge_dir / 'munge.socket'}",
                f"--key-file={key}",
                f"--pid-file={munge_dir / 'munged.pid'}",
                f"--log-file={munge_dir / 'munged.log'}",
                f"--seed-file={munge_dir / 'munged.seed'}",
            ],
        )
        self._wait("munged's socket", (munge_dir / "munge.socket").exists)
        self._start("slurmctld", [program("slurmctld"), "-D", "-i", "-f", str(conf)])
        self._wait("slurmctld", lambda: self.query(["sinfo", "-h"]) is not None)
        self._start("slurmd", [program("slurmd"), "-D", "-f", str(conf), "-N", node["NodeName"]])

        def idle() -> bool:
            state = self.query(["sinfo", "-h", "-N", "-o", "%t"])
            return state is not None and state.strip() == "idle"

        self._wait("the node to become idle", idle)
        say(
            f"cluster up: node {node['NodeName']}, {node['CPUs']} CPUs, "
            f"partition {PARTITION}, daemons {', '.join(f'{n} {p.pid}' for n, p in self.procs)}"
        )

    def query(self, cmd: list[str]) -> str | None:
        done = subprocess.run(
            [program(cmd[0]), *cmd[1:]],
            capture_output=True,
            text=True,
            env=self.env,
            stdin=subprocess.DEVNULL,
            timeout=30,
        )
        return done.stdout if done.returncode == 0 else None

    def jobs(self) -> list[tuple[str, str]]:
        """(job id, state) of every job the controller still knows."""
        out = self.query(["squeue", "--states=all", "--noheader", "--format=%i|%T"]) or ""
        return [tuple(line.split("|", 1)) for line in out.split() if "|" in line]

    def stop(self) -> None:
        """Cancel what is left, then stop our daemons by their process ids, newest first."""
        if self.procs and self.env:
            try:
                self.query(["scancel", "--full", f"--user={pwd.getpwuid(os.geteuid()).pw_name}"])
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline and any(
                    state in ("PENDING", "RUNNING", "COMPLETING") for _, state in self.jobs()
                ):
                    time.sleep(1)
            except (OSError, subprocess.SubprocessError):
                pass  # the daemons are stopped below all the same
        for name, proc in reversed(self.procs):
            if proc.poll() is None:
                stop_pid(proc.pid, name)
            proc.wait()
        self.procs = []


def _stop_snakemake(proc: subprocess.Popen) -> None:
    """SIGTERM makes snakemake cancel its SLURM jobs; SIGKILL if it hangs."""
    proc.terminate()
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def run_snakemake(project: Path, args: list[str], env: dict[str, str], timeout: int, log: Path):
    """Run the project's workflow in `project`; stop it (SIGTERM, then SIGKILL) on timeout."""
    cmd = [str(BIN / "snakemake"), "-s", str(REPO / "Snakefile"), "--directory", str(project)]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [*cmd, *args],
            cwd=project,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _stop_snakemake(proc)
            raise Failure(f"snakemake did not finish within {timeout} s (log: {log})") from None
        except BaseException:
            _stop_snakemake(proc)
            raise
    if code:
        tail = " | ".join(log.read_text(errors="replace").strip().splitlines()[-8:])
        raise Failure(f"snakemake exited with {code} (log: {log}): {tail}")


def compare(local: Path, cluster: Path) -> tuple[int, int]:
    """Equal manifests and equal files under results/; returns (manifests, files)."""
    a, b = result_files(local), result_files(cluster)
    manifests = sorted(k for k in a if k.endswith("/manifest.json"))
    if not manifests:
        raise Failure("the local run wrote no manifest.json")
    for name in manifests:
        if a[name] != b.get(name):
            raise Failure(f"results/{name} differs between the local and the SLURM run")
    only = sorted(set(a) ^ set(b))
    if only:
        raise Failure(f"{len(only)} files exist in only one run, e.g. results/{only[0]}")
    differ = [k for k in a if a[k] != b[k]]
    if differ:
        raise Failure(f"{len(differ)} files differ, e.g. results/{differ[0]}")
    return len(manifests), len(a)


# A job that ran in the warm worker shows only its waiting job process in Snakemake's benchmark
# (about 25 MB); an ADaM job in its own process imports pandas and pyarrow (over 100 MB).
OWN_PROCESS_MB = 100.0


def adam_job_memory(project: Path) -> list[float]:
    """max_rss (MB) of every ADaM job of a run, from its benchmark file."""
    found = []
    for path in sorted((project / "logs").glob("*/*/adam.benchmark.tsv")):
        header, row = path.read_text().splitlines()[:2]
        found.append(float(dict(zip(header.split("\t"), row.split("\t"), strict=True))["max_rss"]))
    return found


def check_worker_modes(local: Path, cluster: Path) -> None:
    """The local run's jobs ran in the warm worker and the SLURM run's in their own processes,
    so the byte-for-byte comparison covers both ways of running a script."""
    local_mb, cluster_mb = adam_job_memory(local), adam_job_memory(cluster)
    if not local_mb or max(local_mb) >= OWN_PROCESS_MB:
        raise Failure(f"the local ADaM jobs did not run in the warm worker (max RSS {local_mb})")
    if not cluster_mb or min(cluster_mb) < OWN_PROCESS_MB:
        raise Failure(f"SLURM ADaM jobs did not run in their own processes (max RSS {cluster_mb})")


def cluster_test(keep: bool) -> int:
    start = time.monotonic()
    before = daemon_pids()
    try:
        install_s = install_packages()
    except Skip as reason:
        say(f"skipped: {reason}")
        return 0
    root = Path(tempfile.mkdtemp(prefix="trialflow-cluster-"))
    cluster = Cluster(root / "cluster")
    (root / "cluster").mkdir()
    ok = False
    try:
        t = time.monotonic()
        cluster.start()
        up_s = time.monotonic() - t
        env = {k: v for k, v in cluster.env.items()}

        local = copy_project(root / "local")
        t = time.monotonic()
        run_snakemake(
            local,
            ["--workflow-profile", str(REPO / "workflow/profiles/default"), "--cores", "2"],
            {**env, "TRIALFLOW_WORKER": "1"},  # locally in the warm worker; on SLURM it is off
            LOCAL_TIMEOUT,
            root / "local.log",
        )
        local_s = time.monotonic() - t
        say(f"local run: {local_s:.0f} s")

        # Settings of this cluster, not of the workflow: a global profile, as on a real one.
        profile = root / "cluster-profile"
        profile.mkdir()
        (profile / "config.yaml").write_text(
            "slurm-status-command: squeue\nslurm-init-seconds-before-status-checks: 2\n"
        )
        slurm = copy_project(root / "slurm")
        t = time.monotonic()
        run_snakemake(
            slurm,
            [
                "--workflow-profile",
                str(REPO / "workflow/profiles/slurm"),
                "--profile",
                str(profile),
            ],
            {**env, "TRIALFLOW_SLURM_PARTITION": PARTITION},
            SLURM_TIMEOUT,
            root / "slurm.log",
        )
        slurm_s = time.monotonic() - t
        jobs = cluster.jobs()
        bad = [f"{i} {s}" for i, s in jobs if s != "COMPLETED"]
        if not jobs or bad:
            raise Failure(f"SLURM jobs not all completed: {bad or 'none submitted'}")
        say(f"SLURM run: {slurm_s:.0f} s, {len(jobs)} SLURM jobs, all COMPLETED")
        manifests, files = compare(local, slurm)
        check_worker_modes(local, slurm)
        ok = True
    except Failure as exc:
        say(f"FAILED: {exc}")
        if cluster.procs:
            for name in ("slurmctld", "slurmd"):
                say(f"{name}: {cluster.tail(name, 3)}")
    finally:
        cluster.stop()
        left = daemon_pids() - before
        deadline = time.monotonic() + 30
        while left and time.monotonic() < deadline:
            time.sleep(1)
            left = daemon_pids() - before
        if left:
            ok = False
            say(f"FAILED: daemons still running after the test: {sorted(left)}")
        if ok and not keep:
            shutil.rmtree(root, ignore_errors=True)
        else:
            say(f"kept {root}")
    if not ok:
        return 1
    total = time.monotonic() - start
    say(
        f"passed: {manifests} manifests and all {files} files under results/ byte-identical "
        f"to the local run, its jobs in the warm worker, the SLURM jobs in their own processes "
        f"(install {install_s:.0f} s, cluster start {up_s:.0f} s, "
        f"total {total:.0f} s); every daemon it started is stopped"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)

    def interrupted(signum, frame):  # run the cleanup of cluster_test on SIGTERM or SIGHUP
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)
    return cluster_test(args.keep)


if __name__ == "__main__":
    sys.exit(main())
