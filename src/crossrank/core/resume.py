"""Start Snakemake so that the same command also finishes a run that was killed: ``make demo`` runs through this.

A killed Snakemake (``kill -9``, a closed terminal, the out-of-memory killer) leaves its directory lock in
``.snakemake/locks`` and marks the outputs of the jobs it was running as incomplete; a plain re-run then stops
with "Directory cannot be locked" or asks for ``--rerun-incomplete``. Both are safe to clear only when no other
pipeline is running in the directory, and this launcher proves that first:

1. it takes an exclusive, non-blocking ``flock`` on :data:`LOCK` (the kernel drops it when its holder dies,
   however it dies, so a kill never leaves it behind), and refuses with :data:`BUSY` if another launcher holds it;
2. if Snakemake's own lock is there, it refuses while a Snakemake process started by hand (``snakemake --cores N``,
   which does not take :data:`LOCK`) runs in the directory, and otherwise removes the stale lock (``--unlock``);
3. it replaces itself with ``snakemake ... --rerun-incomplete``, passing the locked file descriptor on, so the lock
   lives exactly as long as that Snakemake process and the PID written in :data:`LOCK` is Snakemake's.

Step 2 reads ``/proc`` (Linux); where there is none, only other launchers are detected. Before all this, the config
files the command line names (and ``params.yaml``) are read strictly, so a YAML error is reported with its file and line.
Usage: ``python -m crossrank.core.resume SNAKEMAKE [ARGS...]``.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from crossrank.core.config_files import check_config_files
from crossrank.core.errors import ConfigError

LOCK = Path(".snakemake/crossrank.flock")
SNAKEMAKE_LOCKS = Path(".snakemake/locks")
BUSY = 75  # EX_TEMPFAIL: nothing is wrong, try again later


class PipelineBusy(RuntimeError):
    """Another run of the pipeline is in progress in this directory; the message says which and what to do."""


def acquire(lock: Path = LOCK) -> int:
    """An open descriptor of ``lock`` holding its exclusive ``flock``, the holder's PID and start time written in it.

    Raises :class:`PipelineBusy` naming the holder's PID if another process holds it. The file is opened without
    truncation, so a refused caller never erases the holder's PID.
    """
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 200).decode("utf-8", "replace").strip() or "PID unknown"
        os.close(fd)
        raise PipelineBusy(
            f"another run of the pipeline is in progress in this directory ({holder}, holding {lock}); "
            "wait for it to finish, or stop it (kill that PID) and run the same command again to finish its work."
        ) from None
    os.ftruncate(fd, 0)
    os.write(fd, f"PID {os.getpid()}, started {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode())
    return fd


def _is_snakemake(cmdline: Sequence[str]) -> bool:
    """Whether a command line runs Snakemake: ``.../snakemake ...`` or ``python -m snakemake ...``."""
    return any(Path(arg).name == "snakemake" for arg in cmdline[:2]) or "-m snakemake" in " ".join(cmdline[:3])


def snakemake_processes(directory: Path, proc: Path = Path("/proc")) -> list[int]:
    """PIDs of the Snakemake processes (main or job) whose working directory is ``directory``; none where ``/proc`` is missing."""
    here = directory.resolve()
    found: list[int] = []
    for entry in proc.glob("[0-9]*"):
        try:
            cmdline = (entry / "cmdline").read_bytes().decode("utf-8", "replace").split("\0")
            cwd = Path(os.readlink(entry / "cwd"))
        except OSError:  # gone meanwhile, or another user's
            continue
        if int(entry.name) != os.getpid() and cwd == here and _is_snakemake(cmdline):
            found.append(int(entry.name))
    return sorted(found)


def clear_stale_lock(snakemake: Sequence[str], directory: Path = Path(".")) -> None:
    """Remove the directory lock a killed Snakemake left, unless a Snakemake is really running here.

    Called with :data:`LOCK` held, so no other launcher runs; a Snakemake started by hand is looked for in ``/proc``.
    Raises :class:`PipelineBusy` if one runs, :class:`subprocess.CalledProcessError` if ``--unlock`` fails.
    """
    locks = directory / SNAKEMAKE_LOCKS
    if not (locks.is_dir() and any(locks.iterdir())):
        return
    running = snakemake_processes(directory)
    if running:
        pids = ", ".join(map(str, running))
        raise PipelineBusy(
            f"Snakemake is running in this directory (PID {pids}), started outside this command; "
            "wait for it to finish, or stop it (kill those PIDs) and run the same command again to finish its work."
        )
    print("crossrank: removing the Snakemake lock left by an interrupted run (no other run is in progress here)", file=sys.stderr)
    subprocess.run([*snakemake, "--unlock"], cwd=directory, check=True, stdout=subprocess.DEVNULL)


def config_files(argv: Sequence[str]) -> list[str]:
    """The config files a Snakemake command line reads: ``params.yaml`` (the Snakefile's) and those after ``--configfile(s)``."""
    files = ["params.yaml"] if Path("params.yaml").is_file() else []
    taking = False
    for arg in argv:
        if arg in ("--configfile", "--configfiles"):
            taking = True
        elif arg.startswith("-"):
            taking = False
        elif taking:
            files.append(arg)
    return files


def main(argv: Sequence[str]) -> int:
    """Run ``argv`` (a Snakemake command line) as described in the module docstring; return an exit status on refusal."""
    if not argv:
        print("usage: python -m crossrank.core.resume SNAKEMAKE [ARGS...]", file=sys.stderr)
        return 2
    try:  # before Snakemake reads them: its own error names neither the file nor the line
        check_config_files(config_files(argv))
    except ConfigError as error:
        print(f"crossrank: {error}", file=sys.stderr)
        return 1
    try:
        fd = acquire()
        clear_stale_lock(argv)
    except PipelineBusy as busy:
        print(f"crossrank: {busy}", file=sys.stderr)
        return BUSY
    except subprocess.CalledProcessError as failed:
        return failed.returncode
    os.set_inheritable(fd, True)
    os.execvp(argv[0], [*argv, "--rerun-incomplete"])
    return 0  # not reached: exec replaced this process


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
