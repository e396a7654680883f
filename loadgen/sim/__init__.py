"""serve-sim: the simulated OpenAI-compatible server (latency.py model, server.py app,
run.py for running it in a thread or in the foreground)."""
