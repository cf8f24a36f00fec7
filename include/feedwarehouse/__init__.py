"""Feed warehouse: blog feeds into a DuckDB warehouse, orchestrated by Airflow."""

__version__ = "0.1.0"
