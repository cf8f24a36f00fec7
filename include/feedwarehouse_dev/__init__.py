"""Developer tooling beside the runtime package: local Airflow and PostgreSQL, sample feeds."""
