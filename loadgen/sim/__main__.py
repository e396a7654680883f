"""`python -m loadgen.sim ...` = `semibench serve-sim ...`."""
from loadgen.cli import sim_app

sim_app(prog_name="serve-sim")
