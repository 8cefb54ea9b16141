from compiler.simulator.bench import loop_template, measure, working
from compiler.simulator.run import Runtime


def test_the_benchmark_loop_runs_1000_iterations() -> None:
    run = Runtime(loop_template(), document={"COMMENTS": ""}).start()
    assert run.status == "completed"
    assert run.variables["i"] == 1000
    assert len(run.log) == 1000


def test_measure_counts_only_activities_that_do_work() -> None:
    executed, seconds = measure(1)
    # Per iteration: the counter, the field and the log line, and the addition on the 500
    # iterations past the half — not the loop, the body sequence, IfElse or its branches.
    assert executed == 1000 * 3 + 500
    assert seconds > 0


def test_containers_are_not_working_activities() -> None:
    assert working(["SequenceActivity", "IfElseActivity", "IfElseBranchActivity",
                    "WhileActivity", "ForEachActivity", "ParallelActivity", "StateActivity",
                    "StateMachineWorkflowActivity", "SequentialWorkflowActivity",
                    "ListenActivity", "EventDrivenActivity"]) == 0
    assert working(["SetVariableActivity", "LogActivity", "ApproveActivity",
                    "HandleExternalEventActivity", "DelayActivity"]) == 5
