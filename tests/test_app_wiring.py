"""The app factory wires every periodic job into one scheduler and runs the minute jobs at start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.app_helpers import eventually, running_app, sandbox_config


async def test_one_scheduler_runs_notices_and_publishing_at_start_and_holds_the_daily_jobs(
    sandbox, tmp_path
) -> None:
    config = sandbox_config(sandbox.url, f"sqlite:///{tmp_path / 's.db'}", tmp_path / "files")
    async with running_app(config) as app:
        jobs = {job.id: job for job in app.scheduler.get_jobs()}
        assert set(jobs) == {"notices", "publishing", "interviews", "names", "sweep", "digest", "reconcile"}

        async def minute_jobs_ran() -> bool:
            # After its first run at start, a minute job's next run is about a minute away.
            soon = datetime.now(UTC) + timedelta(seconds=30)
            return all(app.scheduler.get_job(name).next_run_time > soon for name in ("notices", "publishing"))

        await eventually(minute_jobs_ran, timeout=10)
        assert (
            app.scheduler.get_job("sweep").next_run_time.hour == 3
        )  # the daily sweep waits for the night (UTC)
    assert not app.scheduler.running
