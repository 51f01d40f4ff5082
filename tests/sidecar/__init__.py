"""Real processes for the sidecar end-to-end test: an nginx bundle server, OPA sidecars, keys.

Everything listens on 127.0.0.1 only, every wait has a deadline, and every process started here
is stopped by the fixture that started it.
"""
