"""Plays a scenario's script against a run: answers tasks, sends commands and robot
results, and skips time to the next timer whenever the workflow only waits for the clock.

At each step the driver takes the earliest thing that can happen: a scripted answer (at the
task's creation plus its `after`), the next command, a robot's result, or a timer. Timers
due at the same moment as a scripted action fire first, as Bitrix's scheduler would not
wait for a person who clicks at the very second a deadline passes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from compiler.simulator import dates
from compiler.simulator.model import RejectedInput, Task
from compiler.simulator.returns import matches
from compiler.simulator.run import Run
from compiler.simulator.scenario import (
    ChangeScript,
    CommandScript,
    RobotScript,
    Scenario,
    TaskScript,
)
from compiler.simulator.waits import EventWait

MAX_STEPS = 10_000
_STATUS = {"approve": "yes", "yes": "yes", "reject": "no", "no": "no", "ok": "ok",
           "review": "ok", "done": "ok", "answer": "ok", "close": "closed", "cancel": "cancel"}


@dataclass
class DriveResult:
    problems: list[str] = field(default_factory=list)


class Driver:
    def __init__(self, run: Run, scenario: Scenario):
        self.run = run
        self.scenario = scenario
        self.tasks = [TaskScript(**{**t.__dict__, "used": False}) for t in scenario.tasks]
        self.commands: list[CommandScript] = list(scenario.commands)
        self.robots: list[RobotScript] = list(scenario.robots)
        self.changes: list[ChangeScript] = list(scenario.changes)
        self.start = run.clock
        self.last_step = run.clock
        self.result = DriveResult()
        self.answered_robots: set[tuple[str, str]] = set()

    def play(self) -> DriveResult:
        run = self.run
        limit = self.start + self.scenario.horizon
        for _ in range(MAX_STEPS):
            if run.status != "running":
                break
            step = self._next()
            if step is None:
                break
            moment, action = step
            if moment > limit:
                break
            if moment > run.clock:
                run.advance_to(moment)
                continue
            if action is not None:
                action()
                self.last_step = run.clock
        else:
            self.result.problems.append(f"the scenario did not settle in {MAX_STEPS} steps")
        self._leftovers()
        return self.result

    # ── choosing the next step ───────────────────────────────────────────────────────────
    def _next(self) -> tuple[datetime, Any] | None:
        run = self.run
        options: list[tuple[datetime, int, Any]] = []
        for task in run.waiting_tasks:
            script = self._script_for(task)
            if script is None:
                continue
            if script.action == "timeout":
                script.used = True  # the task is left alone; its deadline decides
                continue
            created = dates.parse(task.created) or run.clock
            options.append((max(run.clock, created + script.after), 1,
                            lambda t=task, s=script: self._answer(t, s)))
        for wait in run.waiting_for:
            if isinstance(wait, EventWait):
                robot = self._robot_for(wait.activity)
                if robot is not None and not robot.timeout:
                    began = self._began(wait.activity)
                    options.append((max(run.clock, began + robot.after), 1,
                                    lambda w=wait, r=robot: self._robot(w.activity, r)))
        if self.commands:
            command = self.commands[0]
            options.append((self._command_time(command), 2, lambda c=command: self._send(c)))
        if self.changes:
            change = self.changes[0]
            options.append((self._command_time(change), 2, lambda c=change: self._change(c)))
        due = run.next_timer()
        if due is not None:
            options.append((due, 0, None))
        if not options:
            return None
        moment, _, action = min(options, key=lambda o: (o[0], o[1]))
        return moment, action

    def _script_for(self, task: Task) -> TaskScript | None:
        order = self.run.tasks.index(task) + 1
        for script in self.tasks:
            if script.used:
                continue
            if script.order is not None and script.order != order:
                continue
            if script.match is not None and not matches(script.match, task.name, task.title,
                                                        task.activity):
                continue
            return script
        return None

    def _robot_for(self, activity: str) -> RobotScript | None:
        node = self.run.nodes.get(activity)
        title, kind = (node.title, node.type) if node is not None else ("", "")
        for script in self.robots:
            if matches(script.match, activity, title, kind):
                return script
        return None

    def _began(self, activity: str) -> datetime:
        for entry in reversed(self.run.trace):
            if entry.name == activity:
                return dates.parse(entry.at) or self.run.clock
        return self.run.clock

    def _command_time(self, command: CommandScript | ChangeScript) -> datetime:
        if command.at is not None:
            if command.at.startswith("+"):
                parts = dates.parse_interval(command.at[1:]) or {}
                return max(self.run.clock, dates.add_interval(self.start, parts))
            return max(self.run.clock, dates.parse(command.at) or self.run.clock)
        return max(self.run.clock, self.last_step + (command.after or timedelta(0)))

    # ── acting ───────────────────────────────────────────────────────────────────────────
    def _answer(self, task: Task, script: TaskScript) -> None:
        script.used = True
        if script.by == "all":
            users = [u for u in task.users if not task.answered_by(u)]
        elif script.by is None:
            users = [task.users[0]] if task.users else [self.scenario.user]
        else:
            users = [u for u in script.by if isinstance(u, int)]
        status = _STATUS[script.action]
        for user in users:
            if not task.waiting:
                break
            try:
                self.run.complete_task(task.id, user, status, script.comment, script.fields)
            except RejectedInput as error:
                self.result.problems.append(f"answer to task '{task.name}' refused: {error}")

    def _robot(self, activity: str, script: RobotScript) -> None:
        try:
            self.run.send_event(activity, script.returns, script.log)
        except RejectedInput as error:
            self.result.problems.append(f"robot result refused: {error}")

    def _send(self, command: CommandScript) -> None:
        self.commands.pop(0)
        try:
            self.run.send_command(command.command, command.by)
        except RejectedInput as error:
            if not command.refused:
                self.result.problems.append(f"command '{command.command}' refused: {error}")
            return
        if command.refused:
            self.result.problems.append(f"command '{command.command}' by user {command.by} "
                                        "was accepted, the scenario expected a refusal")

    def _change(self, change: ChangeScript) -> None:
        self.changes.pop(0)
        try:
            self.run.update_document(change.fields, change.document)
        except RejectedInput as error:
            self.result.problems.append(f"document change refused: {error}")

    def _leftovers(self) -> None:
        for script in self.tasks:
            if not script.used:
                target = script.match or (f"task #{script.order}" if script.order else "a task")
                self.result.problems.append(
                    f"scripted answer for {target!r} ({script.action}) was never used")
        for change in self.changes:
            self.result.problems.append(f"document change {change.fields} was never made "
                                        f"(the workflow is {self.run.status})")
        for command in self.commands:
            self.result.problems.append(f"command '{command.command}' was never sent "
                                        f"(the workflow is {self.run.status})")


def play(run: Run, scenario: Scenario) -> DriveResult:
    return Driver(run, scenario).play()
