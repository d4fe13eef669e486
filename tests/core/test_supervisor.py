"""The supervisor's rules (`libdesk run`), on a moved clock and fake processes: no sleeping."""

import signal
from collections.abc import Sequence
from itertools import count

import pytest

from libdesk.core.supervisor import (
    MAX_DELAY_SECONDS,
    STABLE_SECONDS,
    STARTUP_ATTEMPTS,
    TICK_SECONDS,
    GaveUp,
    Periodic,
    RestartPolicy,
    Service,
    Supervisor,
    describe_exit,
)


def crash_delays(policy: RestartPolicy, crashes: int, up_for: float = 1.0) -> list[float]:
    """Start, become ready and crash `crashes` times, `up_for` seconds each; the delays."""
    now, delays = 0.0, []
    for _ in range(crashes):
        policy.started(now)
        policy.became_ready(now + 0.5)
        now += up_for
        verdict = policy.stopped(now)
        delays.append(verdict.delay)
        now += verdict.delay
    return delays


def test_the_restart_delay_doubles_from_one_second_to_a_cap_of_a_minute():
    assert crash_delays(RestartPolicy(), 9) == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert MAX_DELAY_SECONDS == 60


def test_a_service_that_stayed_up_a_while_restarts_after_the_first_delay_again():
    policy = RestartPolicy()
    assert crash_delays(policy, 4) == [1, 2, 4, 8]
    assert crash_delays(policy, 1, up_for=STABLE_SECONDS) == [1]
    assert crash_delays(policy, 2) == [2, 4]


def test_a_short_run_does_not_reset_the_delay():
    policy = RestartPolicy()
    crash_delays(policy, 3)
    assert crash_delays(policy, 1, up_for=STABLE_SECONDS - 1) == [8]


def test_a_service_never_ready_is_given_up_after_its_start_up_attempts():
    policy = RestartPolicy()
    verdicts = []
    for attempt in range(STARTUP_ATTEMPTS):
        policy.started(attempt * 100.0)
        verdicts.append(policy.stopped(attempt * 100.0 + 1))
    assert [v.delay for v in verdicts[:-1]] == [1, 2, 4, 8]
    assert [v.attempt for v in verdicts] == [1, 2, 3, 4, 5]
    assert all(v.before_ready for v in verdicts)
    assert not any(v.give_up for v in verdicts[:-1])
    assert verdicts[-1].give_up


def test_a_service_ready_once_is_never_given_up_however_often_it_fails_to_start():
    """After start-up no failure stops the library: the cause (a port taken for a while,
    a database restarting) may pass, and the library comes back by itself."""
    policy = RestartPolicy()
    policy.started(0)
    policy.became_ready(1)
    for attempt in range(1, 50):
        policy.started(attempt * 100.0)
        verdict = policy.stopped(attempt * 100.0 + 1)
        assert not verdict.give_up
        assert verdict.before_ready and verdict.attempt == attempt
    assert verdict.delay == MAX_DELAY_SECONDS


def test_becoming_ready_clears_the_failed_starts():
    policy = RestartPolicy()
    for attempt in range(STARTUP_ATTEMPTS - 1):
        policy.started(attempt * 10.0)
        policy.stopped(attempt * 10.0 + 1)
    policy.started(100)
    policy.became_ready(101)
    verdict = policy.stopped(102)
    assert not verdict.before_ready and verdict.attempt == 0
    assert policy.failed_starts == 0


@pytest.mark.parametrize(
    ("returncode", "words"),
    [
        (-signal.SIGKILL, "it was killed by signal SIGKILL (9)"),
        (-signal.SIGSEGV, "it was killed by signal SIGSEGV (11)"),
        (1, "it exited with code 1"),
        (0, "it exited with code 0"),
        (-200, "it was killed by signal an unknown signal (200)"),
    ],
)
def test_an_exit_is_told_in_words(returncode, words):
    assert describe_exit(returncode) == words


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class FakeProcess:
    """A child that ends by itself at `exits_at` with `code`, or when signalled."""

    pids = count(1000)

    def __init__(self, clock: FakeClock, exits_at: float | None, code: int) -> None:
        self.pid = next(self.pids)
        self.clock, self.exits_at, self.code = clock, exits_at, code
        self.started_at = clock()
        self.signals: list[int] = []

    def poll(self) -> int | None:
        if self.signals:
            return -self.signals[-1]
        if self.exits_at is not None and self.clock() >= self.exits_at:
            return self.code
        return None

    def send_signal(self, signum: int) -> None:
        self.signals.append(signum)

    def wait(self, timeout: float | None = None) -> int:
        return self.poll()

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class FakeLauncher:
    """Launches fake children; `lifetimes[name]` says how long each start of one lives."""

    def __init__(self, clock: FakeClock, lifetimes: dict[str, list[float | None]]) -> None:
        self.clock, self.lifetimes = clock, lifetimes
        self.launched: list[tuple[str, FakeProcess]] = []

    def __call__(self, command: Sequence[str], quiet: bool) -> FakeProcess:
        name = command[0]
        plan = self.lifetimes.get(name, [None])
        lifetime = plan.pop(0) if len(plan) > 1 else plan[0]
        exits_at = None if lifetime is None else self.clock() + lifetime
        process = FakeProcess(self.clock, exits_at, 1)
        process.quiet = quiet
        self.launched.append((name, process))
        return process

    def of(self, name: str) -> list[FakeProcess]:
        return [process for launched, process in self.launched if launched == name]


def supervisor(clock, launcher, log, services=("web", "worker"), periodic=()):
    return Supervisor(
        [Service(name, [name]) for name in services],
        periodic,
        report=log.append,
        launch=launcher,
        clock=clock,
        sleep=clock.sleep,
    )


def test_a_service_that_keeps_failing_at_start_up_stops_everything_and_says_which():
    clock, log = FakeClock(), []
    launcher = FakeLauncher(clock, {"web": [0.5]})
    watched = supervisor(clock, launcher, log)
    gave_up = watched.run(stopping=lambda: False)
    watched.stop_all()
    assert gave_up == GaveUp("web", STARTUP_ATTEMPTS, "it exited with code 1")
    assert str(gave_up) == (
        "the web service failed to start 5 times in a row (it exited with code 1)"
    )
    assert len(launcher.of("web")) == STARTUP_ATTEMPTS
    retries = [line for line in log if "stopped before it was ready" in line]
    assert [line.split(": ", 1)[1] for line in retries] == [
        f"it exited with code 1; trying again in {delay} s" for delay in (1, 2, 4, 8)
    ]
    assert "(attempt 4 of 5)" in retries[-1]
    assert log[-1].endswith("could not start: it exited with code 1; giving up")
    # about 1 + 2 + 4 + 8 seconds of waiting, plus each start's half second of life
    assert 15 + 5 * 0.5 <= clock.now <= 15 + 5 * 0.5 + 10 * TICK_SECONDS
    (worker,) = launcher.of("worker")
    assert worker.signals == [signal.SIGTERM]


def test_a_crashed_service_is_restarted_and_logged_by_name_pid_and_exit():
    clock, log = FakeClock(), []
    # the worker lives 100 s, then crashes, then keeps running
    launcher = FakeLauncher(clock, {"worker": [100.0, None]})
    watched = supervisor(clock, launcher, log)
    ready = []
    assert watched.run(stopping=lambda: clock.now > 200, on_ready=ready.append) is None
    watched.stop_all()
    first, second = launcher.of("worker")
    assert (
        f"the worker service (pid {first.pid}) stopped unexpectedly: it exited with code 1; "
        "restarting it in 1 s"
    ) in log
    assert f"restarted the worker service (pid {second.pid})" in log
    assert f"the worker service is back (pid {second.pid})" in log
    assert ready == ["web", "worker"]  # announced once, not again after the restart
    assert second.signals == [signal.SIGTERM]
    assert len(launcher.of("web")) == 1


def test_stopping_while_a_restart_is_pending_starts_nothing_more():
    clock, log = FakeClock(), []
    launcher = FakeLauncher(clock, {"web": [10.0, None]})
    watched = supervisor(clock, launcher, log)
    assert watched.run(stopping=lambda: clock.now > 10.5) is None
    watched.stop_all()
    assert len(launcher.of("web")) == 1
    assert "restarting it in 1 s" in log[-1]


def test_the_hourly_jobs_start_at_once_then_every_hour_never_two_at_a_time():
    clock, log = FakeClock(), []
    # each run of the jobs takes 4000 s: longer than the hour, so the next waits for it
    launcher = FakeLauncher(clock, {"jobs": [4000.0]})
    jobs = Periodic("hourly jobs", ["jobs"], every=3600)
    watched = supervisor(clock, launcher, log, services=("web",), periodic=[jobs])
    watched.run(stopping=lambda: clock.now > 9000)
    watched.stop_all()
    runs = launcher.of("jobs")
    assert all(run.quiet for run in runs)
    starts = [run.started_at for run in runs]
    assert starts[0] == 0
    assert 4000 <= starts[1] <= 4000 + 2 * TICK_SECONDS
    assert 8000 <= starts[2] <= 8000 + 3 * TICK_SECONDS
    assert log.count("the hourly jobs did not finish: it exited with code 1") == 2
