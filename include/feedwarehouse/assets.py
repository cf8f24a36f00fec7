"""Names the DAGs share (cheap to import at DAG parse time: no I/O, no heavy modules)."""

# The Airflow Asset marked when a run publishes; downstream DAGs are scheduled on it.
PUBLISHED_ASSET_NAME = "published_warehouse"
PUBLISHED_ASSET_URI = "file:///feedwarehouse/published/warehouse.duckdb"
# One DuckDB writer: the tasks that write the warehouse share a pool of one slot.
WRITER_POOL = "feedwarehouse_writer"
