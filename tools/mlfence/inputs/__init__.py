"""The input layer of `mlfence check`: bounded reading, decoding, YAML as Kubernetes reads it,
and recognising the Terraform artefacts that are not plans. documents.py puts them together."""
