"""A real single-node SLURM cluster on loopback (munged, slurmctld, slurmd), for the SLURM executor test.

It follows /work/shared/SLURM.md: every file (munge key and socket, slurm.conf, state, spool, logs,
pid files) lives under a pytest tmp dir; the one exception is the ``/etc/slurm/slurm.conf`` symlink,
which the jobstep plugin needs (it strips ``SLURM_CONF`` inside jobs, and ``srun`` would otherwise fall
back to a DNS SRV lookup). That symlink is made only where no file is there or where the one there is a
symlink this module made (it points at a ``slurm.conf`` beside a ``MARKER`` file), and removed on
teardown only if it is still ours. The daemons are stopped by the PIDs in their pid files: TERM, up to
10 s, then KILL.

Slurm's ports are fixed (6817 slurmctld, 6818 slurmd), so only one cluster can run on a machine: only
tests/workflow/test_slurm.py starts one, and an exclusive lock (``LOCK``) keeps two pytest sessions in
the same machine from starting theirs at once. When a cluster cannot start (Slurm or munge not
installed, not root, a port taken, a daemon failing), ``SlurmUnavailable`` says why in one line and
the fixture skips.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PARTITION = "debug"
NODE = "localhost"
PORTS = (6817, 6818)  # slurmctld, slurmd: compiled into every client's expectations, so fixed
SYSTEM_CONF = Path("/etc/slurm/slurm.conf")  # where srun looks once the jobstep plugin has dropped SLURM_CONF
MARKER = ".crossrank-slurm-test"  # beside every slurm.conf this module writes: its symlinks point there
LOCK = Path("/tmp/crossrank-slurm-test.lock")
BINARIES = ("munged", "mungekey", "munge", "unmunge", "slurmctld", "slurmd", "sinfo", "sbatch", "squeue", "scancel", "srun")
DAEMONS = ("slurmd", "slurmctld", "munged")  # stop order
READY_TRIES = 80  # sinfo polls, 0.25 s apart ...
READY_SECONDS = 30.0  # ... and at most this long in all (it takes about 1.1 s)
STOP_SECONDS = 10.0
LOCK_SECONDS = 240.0  # how long to wait for another session's cluster to stop


class SlurmUnavailable(Exception):
    """SLURM cannot be started here; the message is the one-line reason."""


@dataclass
class SlurmCluster:
    """A running cluster: its directory, its slurm.conf and the environment its clients need."""

    base: Path
    conf: Path
    cpus: int
    memory_mb: int
    linked: bool = False  # whether SYSTEM_CONF is our symlink
    lock: object | None = field(default=None, repr=False)

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "SLURM_CONF": str(self.conf)}

    def pid_file(self, daemon: str) -> Path:
        return self.base / "run" / f"{daemon}.pid"

    def log(self, daemon: str) -> Path:
        return self.base / "log" / f"{daemon}.log"

    def client(self, *args: str, timeout: float = 15.0) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(args), env=self.env, capture_output=True, text=True, timeout=timeout, check=False)

    def jobs(self) -> list[str]:
        """``jobid|state|name`` of every job the controller still knows (finished ones for MinJobAge seconds)."""
        result = self.client("squeue", "--states=all", "--noheader", "--format=%i|%T|%j")
        return result.stdout.split()

    def stop(self) -> None:
        """Cancel what still runs, stop the daemons by PID, remove our symlink and release the lock."""
        try:
            if self.pid_file("slurmctld").exists():
                active = [j.split("|")[0] for j in self.jobs() if j.split("|")[1] in {"PENDING", "RUNNING", "CONFIGURING", "COMPLETING"}]
                if active:
                    self.client("scancel", *active)
                    deadline = time.monotonic() + STOP_SECONDS
                    while time.monotonic() < deadline and any(j.split("|")[1] in {"RUNNING", "COMPLETING"} for j in self.jobs()):
                        time.sleep(0.25)
        except (OSError, subprocess.SubprocessError, IndexError):
            pass
        finally:
            for daemon in DAEMONS:
                _stop_daemon(self.pid_file(daemon), daemon)
            if self.linked and _is_ours(SYSTEM_CONF):
                SYSTEM_CONF.unlink()
            self.linked = False
            _release(self.lock)
            self.lock = None


def slurm_conf(base: Path, cpus: int, memory_mb: int) -> str:
    """SLURM.md's configuration: no accounting (status by squeue, MinJobAge 300), one node, partition ``debug``."""
    return f"""\
ClusterName=crossrank
SlurmctldHost={NODE}(127.0.0.1)
SlurmctldPort={PORTS[0]}
SlurmdPort={PORTS[1]}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={base}/munge/munge.socket
MpiDefault=none
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
SlurmdParameters=config_overrides
MinJobAge=300
StateSaveLocation={base}/state
SlurmdSpoolDir={base}/spool
SlurmctldPidFile={base}/run/slurmctld.pid
SlurmdPidFile={base}/run/slurmd.pid
SlurmctldLogFile={base}/log/slurmctld.log
SlurmdLogFile={base}/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
NodeName={NODE} NodeAddr=127.0.0.1 NodeHostname={NODE} CPUs={cpus} RealMemory={memory_mb} State=UNKNOWN
PartitionName={PARTITION} Nodes={NODE} Default=YES MaxTime=INFINITE State=UP
"""


def start(base: Path, cpus: int = 0, memory_mb: int = 0) -> SlurmCluster:
    """Start munged, slurmctld and slurmd under ``base``; raise ``SlurmUnavailable`` (after cleaning up) if that fails.

    The node declares ``cpus`` and ``memory_mb`` (at least the machine's; ``SlurmdParameters=config_overrides``
    lets it declare more than the hardware has, so jobs sized for a real cluster still fit on this one).
    """
    missing = [b for b in BINARIES if shutil.which(b) is None]
    if missing:
        raise SlurmUnavailable(f"not installed: {', '.join(missing)} (apt-get install slurmctld slurmd slurm-client munge)")
    if os.geteuid() != 0:
        raise SlurmUnavailable("a test SLURM cluster needs root (SlurmUser=root, /etc/slurm/slurm.conf)")
    lock = _acquire(LOCK, LOCK_SECONDS)
    cluster = SlurmCluster(base=base, conf=base / "etc" / "slurm.conf", cpus=cpus, memory_mb=memory_mb, lock=lock)
    try:
        _start(cluster)
    except BaseException:
        cluster.stop()
        raise
    return cluster


def _start(cluster: SlurmCluster) -> None:
    taken = [port for port in PORTS if _port_taken(port)]
    if taken:
        raise SlurmUnavailable(f"port {taken[0]} is already in use (another Slurm daemon on this machine?)")
    if (SYSTEM_CONF.exists() or SYSTEM_CONF.is_symlink()) and not _is_ours(SYSTEM_CONF):
        raise SlurmUnavailable(f"{SYSTEM_CONF} exists and is not a test symlink: not touching this machine's Slurm")
    base = cluster.base
    for sub in ("etc", "munge", "state", "spool", "log", "run"):
        (base / sub).mkdir(parents=True, exist_ok=True)
    (base / "munge").chmod(0o755)
    cluster.cpus = max(cluster.cpus, os.cpu_count() or 1)
    cluster.memory_mb = max(cluster.memory_mb, _memory_mb() - 1024, 1024)
    cluster.conf.write_text(slurm_conf(base, cluster.cpus, cluster.memory_mb))
    (cluster.conf.parent / MARKER).write_text("written by tests/slurm_cluster.py\n")

    key, sock = base / "munge/munge.key", base / "munge/munge.socket"
    _check(["mungekey", "--create", f"--keyfile={key}", "--force"], "mungekey")
    key.chmod(0o400)
    _check(
        [
            "munged",
            "--force",
            f"--socket={sock}",
            f"--key-file={key}",
            f"--pid-file={cluster.pid_file('munged')}",
            f"--log-file={cluster.log('munged')}",
            f"--seed-file={base}/munge/munged.seed",
            "--origin=127.0.0.1",
        ],
        "munged",
        cluster.log("munged"),
    )
    credential = subprocess.run(["munge", "-S", str(sock), "-n"], capture_output=True, timeout=10, check=False)
    decoded = subprocess.run(["unmunge", "-S", str(sock)], input=credential.stdout, capture_output=True, timeout=10, check=False)
    if credential.returncode or decoded.returncode:
        raise SlurmUnavailable(f"munged does not answer on {sock}: {_last_line(cluster.log('munged'))}")

    if SYSTEM_CONF.is_symlink():
        SYSTEM_CONF.unlink()  # a stale one of ours (checked above)
    SYSTEM_CONF.parent.mkdir(parents=True, exist_ok=True)
    SYSTEM_CONF.symlink_to(cluster.conf)
    cluster.linked = True

    env = cluster.env
    _check(["slurmctld", "-c", "-f", str(cluster.conf)], "slurmctld", cluster.log("slurmctld"), env)
    _check(["slurmd", "-N", NODE, "-f", str(cluster.conf)], "slurmd", cluster.log("slurmd"), env)
    deadline = time.monotonic() + READY_SECONDS
    state = ""
    for _ in range(READY_TRIES):
        try:
            state = cluster.client("sinfo", "-h", "-N", "-o", "%T", timeout=5).stdout.strip()
        except subprocess.TimeoutExpired:
            state = "sinfo timed out"
        if state == "idle":
            return
        if time.monotonic() > deadline:
            break
        time.sleep(0.25)
    raise SlurmUnavailable(f"node not idle ({state or 'no answer'}); slurmd: {_last_line(cluster.log('slurmd'))}")


def _check(command: list[str], name: str, log: Path | None = None, env: dict[str, str] | None = None) -> None:
    """Run a daemon's start command (it daemonizes); a failure becomes ``SlurmUnavailable``."""
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30, check=False)
    except subprocess.TimeoutExpired:
        raise SlurmUnavailable(f"{name} did not return within 30 s") from None
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise SlurmUnavailable(f"{name} failed ({result.returncode}): {detail[-1] if detail else _last_line(log)}")


def _stop_daemon(pid_file: Path, name: str) -> None:
    """TERM the PID in ``pid_file`` (if it is still ``name``), wait up to STOP_SECONDS, then KILL; remove the file."""
    try:
        pid = int(pid_file.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return
    if _process_name(pid) == name:
        try:
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + STOP_SECONDS
            while time.monotonic() < deadline and _process_name(pid) == name:
                time.sleep(0.1)
            if _process_name(pid) == name:
                os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    pid_file.unlink(missing_ok=True)


def _process_name(pid: int) -> str | None:
    """The executable name of a live (non-zombie) process, or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name, state = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :].split()[0]
    return None if state in {"Z", "X"} else name


def _is_ours(path: Path) -> bool:
    """A symlink to a slurm.conf this module wrote: a MARKER beside its target, or dangling into a pytest tmp dir."""
    if not path.is_symlink():
        return False
    target = Path(os.readlink(path))
    return target.name == "slurm.conf" and ((target.parent / MARKER).exists() or (not target.exists() and "pytest-of-" in str(target)))


def _port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _memory_mb() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) // 1024
    return 0


def _last_line(log: Path | None) -> str:
    try:
        lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()] if log else []
    except OSError:
        lines = []
    return lines[-1] if lines else "no log"


def _acquire(path: Path, seconds: float):
    handle = open(path, "a")  # noqa: SIM115 - held open for the cluster's lifetime
    deadline = time.monotonic() + seconds
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except BlockingIOError:
            if time.monotonic() > deadline:
                handle.close()
                raise SlurmUnavailable(f"another test SLURM cluster held {path} for {seconds:.0f} s") from None
            time.sleep(1.0)


def _release(handle) -> None:
    if handle is not None:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def cluster_fixture(tmp_path_factory: pytest.TempPathFactory, cpus: int = 0, memory_mb: int = 0) -> Iterator[SlurmCluster]:
    """Body of a fixture: yield a running cluster and stop it afterwards, or skip with the reason it cannot start."""
    try:
        cluster = start(tmp_path_factory.mktemp("slurm"), cpus=cpus, memory_mb=memory_mb)
    except SlurmUnavailable as reason:
        pytest.skip(f"no SLURM cluster: {reason}")
    try:
        yield cluster
    finally:
        cluster.stop()
