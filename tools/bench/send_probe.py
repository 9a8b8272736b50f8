"""What the send benchmark measures inside the senders and around them: the time of each chunk's
claim, and the CPU each process (and the machine) spent.

The claim is timed where it happens, in whichever process sends (the benchmark itself on SQLite,
each Celery pool process on PostgreSQL): ``install`` wraps the engine's one-chunk claim
(``_claim_one``: find the next group, select its candidates, issue and store their codes, claim the
rows) and appends a line per chunk to a file of that process's own. Nothing else about the sender
changes. CPU comes from /proc (Linux), sampled while the batch sends.
"""

import functools
import os
import statistics
import time
from pathlib import Path

CLAIMS_PREFIX = "claims-"
_into: list[Path] = []  # the folder this process's claims go to (the benchmark's own changes per run)


def install(folder: str | Path) -> None:
    """Time every chunk claim of this process (and of the processes it forks) into ``folder``."""
    from portal.sending import claim

    _into[:] = [Path(folder)]
    claim_one = claim._claim_one
    if getattr(claim_one, "bench_timed", False):
        return

    @functools.wraps(claim_one)
    def timed(*args, **kwargs):
        started, clock = time.time(), time.perf_counter()
        step = claim_one(*args, **kwargs)
        seconds = time.perf_counter() - clock
        if step is not None and step[1] is not None:  # a chunk claimed (not "nothing due", not all unmailable)
            rows = len(step[1].recipients)
            with (_into[0] / f"{CLAIMS_PREFIX}{os.getpid()}.tsv").open("a") as out:
                out.write(f"{started:.6f}\t{seconds:.6f}\t{rows}\n")
        return step

    timed.bench_timed = True
    claim._claim_one = timed


def claim_times(folder: Path) -> list[tuple[float, float, int]]:
    """Every chunk claim recorded in ``folder``, (started, seconds, rows), in the order they started."""
    claims = []
    for path in folder.glob(f"{CLAIMS_PREFIX}*.tsv"):
        for line in path.read_text().splitlines():
            started, seconds, rows = line.split("\t")
            claims.append((float(started), float(seconds), int(rows)))
    return sorted(claims)


def claim_time_at(claims: list[tuple[float, float, int]], fraction: float, width: float = 0.05) -> float | None:
    """Median seconds of the chunk claims made when ``fraction`` of the batch was claimed (± ``width``)."""
    total = sum(rows for _, _, rows in claims)
    done, window = 0, []
    for _, seconds, rows in claims:
        if abs(done / total - fraction) <= width:
            window.append(seconds)
        done += rows
    return statistics.median(window) if window else None


# -- CPU ------------------------------------------------------------------------------------------

TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """CPU seconds ``pid`` itself spent (0 if it is gone); a reaped child's time is not added to
    its parent's here, so sampling both never counts it twice."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # after "pid (comm)": utime and stime are fields 14 and 15 of the whole line
    return (int(fields[11]) + int(fields[12])) / TICKS


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it, alive now."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                todo.extend(int(child) for child in (task / "children").read_text().split())
            except OSError:
                continue
    return found


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])  # user … steal (guest time is already inside user)
    return (total - idle) / TICKS, total / TICKS


class CpuMeter:
    """CPU spent by named groups of processes between ``start()`` and the last ``sample()``.

    Groups are re-read on every sample (a pool replaces its processes; PostgreSQL's backends come
    and go with connections), and each process counts from its first sighting, or from ``start()``
    if it was there then."""

    def __init__(self, groups):
        self.groups = groups  # name -> callable returning the pids of that group now
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.members: dict[str, set[int]] = {name: set() for name in groups}
        self.machine_start = self.machine_end = (0.0, 0.0)
        self.wall = (0.0, 0.0)

    def start(self) -> None:
        self.machine_start = machine_cpu()
        self.wall = (time.monotonic(), time.monotonic())
        self.sample(first=True)

    def sample(self, first: bool = False) -> None:
        for name, pids in self.groups.items():
            for pid in pids():
                cpu = process_cpu(pid)
                if pid not in self.first:
                    # a process born during the run counts from zero: all its CPU is the run's
                    self.first[pid] = cpu if first else 0.0
                if cpu:
                    self.last[pid] = cpu
                self.members[name].add(pid)
        self.machine_end = machine_cpu()
        self.wall = (self.wall[0], time.monotonic())

    def report(self, cores: int) -> tuple[float, dict[str, float]]:
        """(share of all cores the machine was busy, {group: share of all cores}) over the run."""
        capacity = (self.wall[1] - self.wall[0]) * cores
        shares = {
            name: sum(max(0.0, self.last.get(p, 0.0) - self.first.get(p, 0.0)) for p in pids) / capacity
            for name, pids in self.members.items()
        }
        busy = (self.machine_end[0] - self.machine_start[0]) / capacity
        return busy, shares
