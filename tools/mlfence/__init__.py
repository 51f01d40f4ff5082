"""mlfence: network-isolation guardrails for ML platforms, one Rego source for three engines."""

__version__ = "0.1.0"
