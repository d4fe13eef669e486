"""Keeping libdesk's services up under `libdesk run`.

Why: one request that kills the web server (a bug, the kernel's out-of-memory killer, a
stray `kill`) must not take the whole library down with it. The supervisor restarts a service
that dies, waiting a little longer after each crash so that a service which keeps crashing
does not spin the machine, and says so in plain words on its own output. It gives up, and
stops everything, only when a service has never once become ready since `libdesk run` began
and fails to start several times in a row: that is a set-up problem (the port is taken, the
database is missing) that no amount of restarting fixes, and the operator must be told which
service failed and why rather than watch it loop.

The rules are one small object per service (`RestartPolicy`) that is given the times at which
things happen, so they are tested without a real clock; `Supervisor` applies them to real
processes, with its clock, sleep and process launcher injectable for the same reason.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

FIRST_DELAY_SECONDS = 1.0
"""Wait before the first restart after a crash: long enough not to spin, short enough that
patrons barely notice a web server that died once."""

MAX_DELAY_SECONDS = 60.0
"""The wait doubles after each crash up to this cap, so a service that keeps dying is retried
once a minute rather than given up: the library comes back by itself when the cause passes."""

STABLE_SECONDS = 30.0
"""A service that stayed up (and ready) this long before dying is treated as healthy again:
its next restart waits `FIRST_DELAY_SECONDS`, not the doubled delay of its earlier crashes."""

READY_ALIVE_SECONDS = 5.0
"""A service without a port (worker, checkpointer) is ready once it has stayed alive this
long: their start-up errors (no database, no table) end them within a second or two."""

READY_TIMEOUT_SECONDS = 60.0
"""A service still not ready this long after its start is stopped and counted as a failed
start, so a web server that hangs before listening cannot keep `libdesk run` waiting forever."""

STARTUP_ATTEMPTS = 5
"""Failed starts in a row, before a service was ever ready, after which `libdesk run` stops
everything and says why. With the doubling delay that is about 15 seconds of retries: enough
to ride out a port still held by a server that is shutting down, not enough to hide a mistake."""

STOP_GRACE_SECONDS = 10.0
"""On Ctrl-C each service gets this long to finish its work after SIGTERM before SIGKILL."""

TICK_SECONDS = 0.2
"""How often the supervisor looks at its services."""


@dataclass(frozen=True)
class Verdict:
    """What to do after a service stopped or could not start: restart after `delay` seconds,
    or give up (`delay` is None). `attempt` counts failed starts in a row (0 after a crash of
    a service that was ready)."""

    delay: float | None
    before_ready: bool
    attempt: int

    @property
    def give_up(self) -> bool:
        return self.delay is None


@dataclass
class RestartPolicy:
    """The backoff and give-up rules for one service, fed the times at which things happen."""

    first_delay: float = FIRST_DELAY_SECONDS
    max_delay: float = MAX_DELAY_SECONDS
    stable_after: float = STABLE_SECONDS
    startup_attempts: int = STARTUP_ATTEMPTS
    failed_starts: int = 0
    ever_ready: bool = False
    _delay: float = field(init=False)
    _started_at: float = field(init=False, default=0.0)
    ready: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        self._delay = self.first_delay

    def started(self, at: float) -> None:
        self._started_at = at
        self.ready = False

    def became_ready(self, at: float) -> None:
        self.ready = True
        self.ever_ready = True
        self.failed_starts = 0

    def stopped(self, at: float) -> Verdict:
        """The service ended (or could not be started) at `at`: when to try again, if ever."""
        if self.ready and at - self._started_at >= self.stable_after:
            self._delay = self.first_delay
        before_ready = not self.ready
        self.ready = False
        if before_ready:
            self.failed_starts += 1
            if not self.ever_ready and self.failed_starts >= self.startup_attempts:
                return Verdict(None, True, self.failed_starts)
        delay, self._delay = self._delay, min(self._delay * 2, self.max_delay)
        return Verdict(delay, before_ready, self.failed_starts if before_ready else 0)


def describe_exit(returncode: int) -> str:
    """A process's end in words: a negative code from subprocess means a signal."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = "an unknown signal"
        return f"it was killed by signal {name} ({-returncode})"
    return f"it exited with code {returncode}"


def seconds(delay: float) -> str:
    return f"{delay:g} s"


class Process(Protocol):
    """The part of `subprocess.Popen` the supervisor uses (a fake one in the tests)."""

    pid: int

    def poll(self) -> int | None: ...
    def send_signal(self, signum: int) -> None: ...
    def wait(self, timeout: float | None = None) -> int: ...
    def kill(self) -> None: ...


def launch(command: Sequence[str], quiet: bool) -> Process:
    """Start a child in its own session, so a Ctrl-C reaches only the supervisor, which then
    stops each child in order; its errors go to the supervisor's stderr."""
    return subprocess.Popen(
        list(command), start_new_session=True, stdout=subprocess.DEVNULL if quiet else None
    )


@dataclass
class Service:
    """A long-running child: `is_ready(seconds alive)` says when it started well, and
    `obstacle()` names anything that would stop it starting (checked before each start)."""

    name: str
    command: Sequence[str]
    is_ready: Callable[[float], bool] = lambda alive_for: alive_for >= READY_ALIVE_SECONDS
    obstacle: Callable[[], str | None] = lambda: None


@dataclass
class Periodic:
    """A one-shot child started now and then every `every` seconds; never two at once."""

    name: str
    command: Sequence[str]
    every: float


@dataclass
class GaveUp:
    """Why `libdesk run` stopped on its own: which service, and its last failure."""

    service: str
    attempts: int
    reason: str

    def __str__(self) -> str:
        return (
            f"the {self.service} service failed to start {self.attempts} times in a row "
            f"({self.reason})"
        )


@dataclass
class _Slot:
    service: Service
    policy: RestartPolicy
    process: Process | None = None
    started_at: float = 0.0
    restart_at: float | None = None
    starts: int = 0


class Supervisor:
    """Starts the services, restarts them by their `RestartPolicy`, runs the periodic jobs,
    and stops everything on request or when a service cannot start."""

    def __init__(
        self,
        services: Sequence[Service],
        periodic: Sequence[Periodic] = (),
        *,
        report: Callable[[str], None],
        launch: Callable[[Sequence[str], bool], Process] = launch,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._slots = [_Slot(service, RestartPolicy()) for service in services]
        self._periodic = {job.name: job for job in periodic}
        self._jobs: dict[str, Process] = {}
        self._next_job: dict[str, float] = {}
        self._report = report
        self._launch = launch
        self._clock = clock
        self._sleep = sleep

    def run(
        self, stopping: Callable[[], bool], on_ready: Callable[[str], None] = lambda name: None
    ) -> GaveUp | None:
        """Supervise until `stopping()` (returns None) or a service gives up (returns why);
        `on_ready(name)` is called the first time each service is ready."""
        for slot in self._slots:
            slot.restart_at = self._clock()
        while not stopping():
            for slot in self._slots:
                gave_up = self._look_after(slot, on_ready)
                if gave_up:
                    return gave_up
            self._run_periodic()
            self._sleep(TICK_SECONDS)
        return None

    def _look_after(self, slot: _Slot, on_ready: Callable[[str], None]) -> GaveUp | None:
        now = self._clock()
        if slot.process is None:
            if slot.restart_at is not None and now >= slot.restart_at:
                return self._start(slot, now)
            return None
        returncode = slot.process.poll()
        if returncode is not None:
            return self._failed(slot, now, describe_exit(returncode))
        if not slot.policy.ready:
            alive_for = now - slot.started_at
            if slot.service.is_ready(alive_for):
                self._became_ready(slot, now, slot.process.pid, on_ready)
            elif alive_for >= READY_TIMEOUT_SECONDS:
                self._end(slot.process)
                return self._failed(slot, now, f"it was not ready after {seconds(alive_for)}")
        return None

    def _start(self, slot: _Slot, now: float) -> GaveUp | None:
        slot.restart_at = None
        slot.policy.started(now)
        obstacle = slot.service.obstacle()
        if obstacle is not None:
            return self._failed(slot, now, obstacle, launched=False)
        try:
            slot.process = self._launch(slot.service.command, False)
        except OSError as error:
            return self._failed(slot, now, f"it could not be launched: {error}", launched=False)
        slot.started_at = now
        slot.starts += 1
        verb = "started" if slot.starts == 1 else "restarted"
        self._report(f"{verb} the {slot.service.name} service (pid {slot.process.pid})")
        return None

    def _became_ready(
        self, slot: _Slot, now: float, pid: int, on_ready: Callable[[str], None]
    ) -> None:
        first = not slot.policy.ever_ready
        slot.policy.became_ready(now)
        state = "ready" if first else "back"
        self._report(f"the {slot.service.name} service is {state} (pid {pid})")
        if first:
            on_ready(slot.service.name)

    def _failed(self, slot: _Slot, now: float, why: str, launched: bool = True) -> GaveUp | None:
        """Log a service's end (or failed start) and schedule its restart, or give up."""
        name = slot.service.name
        pid = f" (pid {slot.process.pid})" if launched and slot.process is not None else ""
        slot.process = None
        verdict = slot.policy.stopped(now)
        if verdict.give_up:
            self._report(f"the {name} service{pid} could not start: {why}; giving up")
            return GaveUp(name, verdict.attempt, why)
        if not launched:
            what = "could not start"
        elif verdict.before_ready:
            what = "stopped before it was ready"
        else:
            what = "stopped unexpectedly"
        if verdict.before_ready and not slot.policy.ever_ready:
            what += f" (attempt {verdict.attempt} of {slot.policy.startup_attempts})"
        again = "trying again" if verdict.before_ready else "restarting it"
        self._report(f"the {name} service{pid} {what}: {why}; {again} in {seconds(verdict.delay)}")
        slot.restart_at = now + verdict.delay
        return None

    def _run_periodic(self) -> None:
        now = self._clock()
        for name, job in self._periodic.items():
            running = self._jobs.get(name)
            if running is not None:
                returncode = running.poll()
                if returncode is None:
                    continue
                del self._jobs[name]
                if returncode != 0:
                    self._report(f"the {name} did not finish: {describe_exit(returncode)}")
            if now >= self._next_job.get(name, now):
                try:
                    self._jobs[name] = self._launch(job.command, True)
                except OSError as error:
                    self._report(f"the {name} could not be launched: {error}")
                self._next_job[name] = now + job.every

    def stop_all(self) -> None:
        """SIGTERM every child, wait up to `STOP_GRACE_SECONDS` in all, then SIGKILL."""
        children = [s.process for s in self._slots if s.process is not None]
        children += list(self._jobs.values())
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = self._clock() + STOP_GRACE_SECONDS
        for child in children:
            self._wait_or_kill(child, deadline)
        for slot in self._slots:
            slot.process = None
        self._jobs.clear()

    def _end(self, process: Process) -> None:
        process.send_signal(signal.SIGTERM)
        self._wait_or_kill(process, self._clock() + STOP_GRACE_SECONDS)

    def _wait_or_kill(self, process: Process, deadline: float) -> None:
        try:
            process.wait(timeout=max(0.1, deadline - self._clock()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
