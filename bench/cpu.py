"""CPU cost of a benchmark's server processes, which a busy shared machine hardly moves (unlike
wall-clock latency): user + system seconds read from /proc, per process and per thread, and an
opt-in cProfile of a server process's event-loop thread.

- `cpu_seconds(pid)`: (event-loop thread, all other threads) CPU seconds of a process so far. The
  main thread of an ASGI server runs the event loop (framing, the consumers, the channel layer's
  receive); the others are `sync_to_async` / `database_sync_to_async` threads.
- `BENCH_PROFILE_DIR=<dir>` in a server's environment: `profile_process()` (called by the
  benchmark's application module when it loads) profiles the process's main thread with cProfile
  from then on and writes `<dir>/<pid>.prof` when the process exits (`python -m pstats` reads it).
"""

import atexit
import os
import signal
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _thread_seconds(stat_path: Path) -> float:
    # Fields after the parenthesised command name: utime and stime are the 14th and 15th overall.
    fields = stat_path.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def cpu_seconds(pid: int) -> tuple[float, float]:
    """(main thread, other threads) CPU seconds of process `pid`, living threads only (the
    benchmark's servers keep their thread pools for their lifetime)."""
    main, others = 0.0, 0.0
    for task in Path(f"/proc/{pid}/task").iterdir():
        with_seconds = _thread_seconds(task / "stat")
        if int(task.name) == pid:
            main += with_seconds
        else:
            others += with_seconds
    return main, others


def own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


class CpuWindow:
    """CPU seconds of some processes (and of this one) between `start()` and `stop()`."""

    def __init__(self, pids: dict[str, int]):
        self.pids = pids
        self.used: dict[str, tuple[float, float]] = {}
        self.own = 0.0

    def start(self) -> None:
        self._before = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        self._own_before = own_cpu_seconds()

    async def settle(self, progress, *, idle_cpu: float = 0.05, step: float = 0.5, timeout: float = 120) -> None:
        """Wait until the servers are done: two steps in a row with no new frame (`progress()`
        counts them) and under `idle_cpu` s of CPU in all. A backlog they are still working
        through belongs in the window, or a busy machine would flatter them."""
        import asyncio

        deadline, quiet = time.monotonic() + timeout, 0
        last = (progress(), sum(sum(cpu_seconds(pid)) for pid in self.pids.values()))
        while time.monotonic() < deadline and quiet < 2:
            await asyncio.sleep(step)
            now = (progress(), sum(sum(cpu_seconds(pid)) for pid in self.pids.values()))
            quiet = quiet + 1 if now[0] == last[0] and now[1] - last[1] < idle_cpu else 0
            last = now

    def stop(self) -> None:
        for name, pid in self.pids.items():
            (main, others), (main0, others0) = cpu_seconds(pid), self._before[name]
            self.used[name] = (main - main0, others - others0)
        self.own = own_cpu_seconds() - self._own_before

    def report(self, *, frames: int, posted: int, client_label: str = "bench client") -> list[str]:
        """Lines: CPU ms per 1,000 frames delivered and per message posted, per server and in all."""
        lines = []
        total = 0.0
        for name, (main, others) in self.used.items():
            total += main + others
            lines.append(
                f"    {name}: {main + others:6.2f} s CPU (event loop {main:.2f}, threads {others:.2f})"
                f" = {(main + others) * 1e6 / max(frames, 1):6.1f} ms per 1,000 frames"
            )
        per_frame, per_message = total * 1e6 / max(frames, 1), total * 1e3 / max(posted, 1)
        lines.append(
            f"    servers in all: {total:6.2f} s CPU for {frames} frames delivered and {posted} messages sent:"
            f" {per_frame:.1f} ms per 1,000 frames, {per_message:.2f} ms per message"
        )
        own_per_frame = self.own * 1e6 / max(frames, 1)
        lines.append(f"    {client_label}: {self.own:6.2f} s CPU ({own_per_frame:.1f} ms per 1,000 frames)")
        return lines


def profile_process() -> None:
    """Profile this process's main thread until it exits if BENCH_PROFILE_DIR is set (see above)."""
    directory = os.environ.get("BENCH_PROFILE_DIR")
    if not directory:
        return
    import cProfile

    profiler = cProfile.Profile(time.thread_time)  # CPU time of the event loop thread, not wall time
    path = Path(directory) / f"{os.getpid()}.prof"

    def dump(*_):
        profiler.disable()
        profiler.dump_stats(path)

    atexit.register(dump)
    # Written on SIGUSR1 too, whatever the server does on SIGTERM.
    signal.signal(signal.SIGUSR1, lambda *_: (dump(), profiler.enable()))
    profiler.enable()
