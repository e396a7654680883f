"""`python -m loadgen ...` = the `loadgen` console script."""
from loadgen.cli import app

app(prog_name="loadgen")
