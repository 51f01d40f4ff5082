"""Bounds on what one input may cost. Each is an input error when exceeded, never a hang.

Kubernetes objects are small (the API server refuses requests over 3 MiB) and shallow: the
limits are far above real manifests and plans, and far below what exhausts this process.
"""

from __future__ import annotations

# Bytes read from one file or from standard input; counted on what is actually read, so a
# FIFO, a growing file or a pipe cannot exceed it either.
MAX_INPUT_BYTES = 20 * 1024 * 1024

# Nesting of mappings and sequences (JSON objects and arrays) in one document.
MAX_DEPTH = 256

# Text in one YAML document after aliases are expanded: a few bytes of anchors and aliases can
# name gigabytes. (The count of aliased nodes is bounded as yaml.v2 bounds it.)
MAX_EXPANDED_BYTES = 64 * 1024 * 1024
