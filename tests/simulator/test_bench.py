from compiler.simulator.bench import loop_package, measure
from compiler.simulator.run import Runtime


def test_the_benchmark_loop_runs_1000_iterations() -> None:
    run = Runtime(loop_package(), document={"COMMENTS": ""}).start()
    assert run.status == "completed"
    assert run.variables["i"] == 1000
    assert len(run.log) == 1000


def test_measure_counts_activities() -> None:
    executed, seconds = measure(1)
    assert executed > 6000 and seconds > 0
