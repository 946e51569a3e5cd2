"""The warm worker: job scripts run in a forked copy of a process that has already imported the
heavy libraries, instead of importing them again in every job.

A cold run of the workflow is some forty short jobs, and each fresh Python process spends
0.5–1 s importing pandas, pyarrow, matplotlib, nbconvert and the like before milliseconds to a
second of work. Every script in `workflow/scripts/` therefore starts with `delegate()`:

- The job process (started by Snakemake as usual, with its `snakemake` object) connects to the
  worker over a Unix socket and sends the path of its own script, its working directory, its
  environment and umask, and its standard input, output and error (the file descriptors
  themselves). If no worker is listening it starts one, once, under a lock.
- The worker forks. The child takes the job's directory, environment, umask and descriptors,
  runs the job's script from the top (Snakemake's preamble rebuilds the `snakemake` object; in
  the child `delegate()` returns at once) and exits with the script's exit status, which the
  job process then exits with. A job that fails prints the same one-line error to the same
  stderr and log as it would in its own process.
- The worker imports third-party libraries only, never trialflow, so each job runs the
  project code as it is on disk. A forked child starts from the worker's state after those
  imports and nothing a job does reaches the next one.
- If the job process is killed (Snakemake cancelling the run), the worker kills the child.
- The worker is keyed by user, Python interpreter, environment prefix and the version of this
  module, and by the temporary directory its socket is in; it exits after `IDLE_SECONDS`
  without a job. Its socket lives in a folder of the temporary directory that
  only the user can enter, and it serves only connections from its own user.

`delegate()` runs the script in its own process instead (the plain Snakemake behaviour) when
`TRIALFLOW_WORKER=0`, inside a SLURM job (each cluster job runs on its own allocation, where a
worker would only add memory), or when the worker cannot be reached or started.

The outputs are the same either way: the workflow tests and the cluster test compare them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import selectors
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Seconds the worker waits for a job before it exits.
IDLE_SECONDS = 20.0
# Seconds a job process waits for a newly started worker to listen.
START_TIMEOUT = 30.0

# Imported before the first job is served (every table job needs them) ...
PRELOAD_FIRST = ("numpy", "pandas", "pyarrow.parquet", "yaml", "scipy.special")
# ... and then one at a time while no job is waiting. Not polars (nor rtflite, which imports
# it): it starts Rust thread pools at import, which a forked child cannot use safely. (The
# BLAS and jemalloc threads numpy, scipy and pyarrow start are reset in a child at fork.)
PRELOAD_LATER = (
    "jsonschema",
    "matplotlib",
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
    "matplotlib.backends.backend_svg",
    "nbformat",
    "IPython.core.interactiveshell",
    "IPython.display",
    "great_tables",
    "nbconvert",
    "pyreadstat",
    "lxml.etree",
)

_HEADER = struct.Struct("!I")
_IN_WORKER = False


def enabled(environ: os._Environ[str] | dict[str, str] | None = None) -> bool:
    """Whether job scripts should use the warm worker: not when ``TRIALFLOW_WORKER=0`` and not
    inside a SLURM job."""
    env = os.environ if environ is None else environ
    in_slurm = "SLURM_JOB_ID" in env or "SLURM_JOBID" in env
    return env.get("TRIALFLOW_WORKER", "1") != "0" and not in_slurm


def socket_path() -> Path:
    """The worker's socket for this user, interpreter, environment prefix and version of this
    module (a worker left idling by an older checkout is not used)."""
    here = Path(__file__)
    stamps = [str(p.stat().st_mtime_ns) for p in (here, here.with_name("__init__.py"))]
    key = "\0".join([str(os.getuid()), os.path.realpath(sys.executable), sys.prefix, *stamps])
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"trialflow-{os.getuid()}" / f"worker-{digest}.sock"


# --------------------------------------------------------------------------- job side


def delegate() -> None:
    """Run the calling job script in the warm worker and exit with its status; return (and
    let the script run here) inside the worker, when the worker is disabled, or when it cannot
    be used. Call it first in a Snakemake script, before the heavy imports."""
    if _IN_WORKER or not enabled():
        return
    # Snakemake's preamble keeps the path of the file it runs (the preamble and the script)
    # in `__real_file__`; without it this is not a Snakemake job.
    script = getattr(sys.modules.get("__main__"), "__real_file__", None)
    if not script:
        return
    status = run_in_worker(os.path.abspath(script))
    if status is not None:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


def _connect(path: Path) -> socket.socket | None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(str(path))
    except OSError:
        sock.close()
        return None
    return sock


def _start_worker(path: Path) -> socket.socket | None:
    """Start the worker (once, under a lock) and connect to it."""
    import fcntl

    folder = path.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if folder.stat().st_uid != os.getuid() or folder.stat().st_mode & 0o077:
        return None  # somebody else's folder: do not trust it
    with open(folder / (path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        sock = _connect(path)
        if sock is not None:
            return sock
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        package_root = str(Path(__file__).resolve().parents[1])
        env = dict(os.environ)
        env["PYTHONPATH"] = package_root
        proc = subprocess.Popen(
            [sys.executable, "-P", "-c", "from trialflow.worker import serve; serve()", str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd="/",
            env=env,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and proc.poll() is None:
            if path.exists():
                sock = _connect(path)
                if sock is not None:
                    return sock
            time.sleep(0.02)
    return None


def run_in_worker(script: str) -> int | None:
    """Send `script` (this process's directory, environment, umask and standard streams) to
    the worker and wait for its exit status; None when no worker could be reached (nothing
    was run)."""
    path = socket_path()
    if len(os.fsencode(path)) > 100:  # longer than a Unix socket address may be
        return None
    sock = _connect(path) or _start_worker(path)
    if sock is None:
        return None
    umask = os.umask(0)
    os.umask(umask)
    request = json.dumps(
        {"script": script, "cwd": os.getcwd(), "env": dict(os.environ), "umask": umask}
    ).encode("utf-8")
    try:
        socket.send_fds(sock, [_HEADER.pack(len(request))], [0, 1, 2])
        sock.sendall(request)
    except OSError:
        sock.close()
        return None
    # From here the job runs in the worker: a lost worker is a failed job, not a second run.
    with sock:
        reply = b""
        try:
            while chunk := sock.recv(4096):
                reply += chunk
        except OSError:
            reply = b""
    try:
        return int(json.loads(reply)["status"])
    except (ValueError, KeyError, TypeError):
        print("trialflow: error: the worker ended without the job's exit status", file=sys.stderr)
        return 1


# --------------------------------------------------------------------------- worker side


def _recv_request(conn: socket.socket) -> tuple[dict, list[int]]:
    conn.settimeout(10.0)
    data, fds, _flags, _addr = socket.recv_fds(conn, _HEADER.size, 3)
    if len(data) != _HEADER.size or len(fds) != 3:
        for fd in fds:
            os.close(fd)
        raise OSError("incomplete request")
    (size,) = _HEADER.unpack(data)
    body = b""
    while len(body) < size:
        chunk = conn.recv(min(65536, size - len(body)))
        if not chunk:
            for fd in fds:
                os.close(fd)
            raise OSError("incomplete request")
        body += chunk
    conn.settimeout(None)
    return json.loads(body), fds


def _run_job(request: dict, fds: list[int]) -> None:
    """In the forked child: become the job process and run its script; never returns."""
    global _IN_WORKER
    _IN_WORKER = True
    status = 1
    try:
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.umask(int(request["umask"]))
        time.tzset()
        tempfile.tempdir = None
        sys.argv = [request["script"]]
        sys.path.insert(0, os.path.dirname(request["script"]))  # as `python <script>` does
        import runpy

        try:
            runpy.run_path(request["script"], run_name="__main__")
            status = 0
        except SystemExit as exc:
            if exc.code is None or isinstance(exc.code, int):
                status = exc.code or 0
            else:
                print(exc.code, file=sys.stderr)
                status = 1
        except BaseException:  # noqa: BLE001 - reported like an uncaught error in a job
            import traceback

            traceback.print_exc()
            status = 1
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(status)


def _peer_is_me(conn: socket.socket) -> bool:
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return uid == os.getuid()


def serve(path: str | None = None) -> None:
    """The worker's loop (started by `run_in_worker`, path in ``sys.argv[1]``): preload, then
    fork a child per job until `IDLE_SECONDS` pass without one."""
    import gc
    import importlib

    sock_path = Path(path or sys.argv[1])
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(sock_path))
    inode = sock_path.stat().st_ino
    os.chmod(sock_path, 0o600)
    listener.listen(64)
    os.environ["MPLBACKEND"] = "Agg"
    for name in PRELOAD_FIRST:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    later = list(PRELOAD_LATER)
    gc.collect()
    gc.freeze()

    # A finished child wakes the loop through this pipe (SIGCHLD).
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)

    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "accept")
    selector.register(wake_read, selectors.EVENT_READ, "child")
    running: dict[int, socket.socket] = {}
    last = time.monotonic()
    try:
        while True:
            events = selector.select(timeout=0 if later else 1.0)
            for key, _mask in events:
                if key.data == "accept":
                    conn, _addr = listener.accept()
                    last = time.monotonic()
                    _accept(conn, listener, selector, running)
                elif key.data == "child":
                    with contextlib.suppress(BlockingIOError):
                        while os.read(wake_read, 512):
                            pass
                else:  # the job process closed its end: it was killed
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(key.data, signal.SIGTERM)
                    selector.unregister(key.fileobj)
            if _reap(running, selector):
                last = time.monotonic()
            if later and not events:
                with contextlib.suppress(ImportError):
                    importlib.import_module(later.pop(0))
                if not later:
                    gc.collect()
                    gc.freeze()
            if not running and time.monotonic() - last > IDLE_SECONDS:
                break
    finally:
        with contextlib.suppress(OSError):
            if sock_path.stat().st_ino == inode:
                sock_path.unlink()
        listener.close()


def _reap(running: dict[int, socket.socket], selector: selectors.BaseSelector) -> bool:
    """Send each finished child's exit status to its job process; True if any finished."""
    finished = False
    while running:
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            break
        conn = running.pop(pid, None)
        if conn is None:
            continue
        finished = True
        with contextlib.suppress(KeyError, ValueError):
            selector.unregister(conn)
        code = os.waitstatus_to_exitcode(status)
        with contextlib.suppress(OSError):
            conn.sendall(json.dumps({"status": code if code >= 0 else 1}).encode())
        conn.close()
    return finished


def _accept(
    conn: socket.socket,
    listener: socket.socket,
    selector: selectors.BaseSelector,
    running: dict[int, socket.socket],
) -> None:
    try:
        if not _peer_is_me(conn):
            conn.close()
            return
        request, fds = _recv_request(conn)
    except (OSError, ValueError):
        conn.close()
        return
    pid = os.fork()
    if pid == 0:
        listener.close()
        for other in running.values():
            other.close()
        _run_job(request, fds)
    for fd in fds:
        os.close(fd)
    running[pid] = conn
    selector.register(conn, selectors.EVENT_READ, pid)
