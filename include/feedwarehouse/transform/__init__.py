"""Transform: dbt builds the marts from raw (and the functions dbt registers in DuckDB)."""
