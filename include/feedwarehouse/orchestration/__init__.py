"""Orchestration: the step sequence that the DAG and `feedwarehouse run` both run."""
