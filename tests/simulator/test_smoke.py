from compiler.simulator import Runtime
from tests.simulator.trees import log, log_lines, set_var, template, var


def test_a_sequence_runs_to_completion() -> None:
    run = Runtime(template(set_var(x="=1+2"), log("x is {=Variable:x}"),
                          variables={"x": var("int")})).start()
    assert run.status == "completed"
    assert run.variables["x"] == 3
    assert log_lines(run) == ["x is 3"]
