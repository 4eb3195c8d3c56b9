"""The progress display of `optiroll render`: one row per lesson, frames done of planned."""

from __future__ import annotations

from typing import Any

from .jobs import Job, Result


class Display:
    """One progress row per lesson (frames done / total) on a terminal; plain lines
    elsewhere (logs, CI).

    A lesson reports its planned total (a negative count), then frames as written.
    A split lesson's pieces each report the same total and their own frames, which
    add up; an unsplit lesson that reports its total again was restarted (its worker
    died and the cluster runs it again), so its count starts over.
    """

    def __init__(self, todo: list[Job], console: Any, split: bool = False) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.console = console
        self.live = console.is_terminal
        self.split = split
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                 MofNCompleteColumn(), TextColumn("frames"),
                                 TimeElapsedColumn(), console=console, disable=not self.live)
        self.rows = {j.name: self.progress.add_task(j.name, total=None) for j in todo}
        self.started: set[str] = set()

    def __enter__(self) -> Display:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(*exc)

    def update(self, name: str, n: int) -> None:
        if n < 0:  # the planned total
            restarted = name in self.started and not self.split
            self.progress.update(self.rows[name], total=-n,
                                 **({"completed": 0} if restarted else {}))
            if not self.live and name not in self.started:
                self.console.print(f"rendering {name} ({-n} frame{'s' if n != -1 else ''})")
            if not self.live and restarted:
                self.console.print(f"rendering {name} again (its worker stopped)")
            self.started.add(name)
        else:
            self.progress.advance(self.rows[name], n)

    def finish(self, r: Result) -> None:
        task = self.progress.tasks[self.rows[r.name]]
        if r.ok and task.completed > 0:  # the frames written: the plan, from the acts'
            # seconds, can be a frame or two off Manim's rounding of each animation
            self.progress.update(self.rows[r.name], total=task.completed)
        elif r.ok and task.total is not None:
            self.progress.update(self.rows[r.name], completed=task.total)
        self.progress.update(self.rows[r.name], description=f"{r.name} "
                             + ("[green]done" if r.ok else "[red]failed"))
        if not self.live:
            self.console.print(f"{r.name}: {'done' if r.ok else 'failed'}")
