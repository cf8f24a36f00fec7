"""Feed warehouse: blog feeds into a DuckDB warehouse."""
