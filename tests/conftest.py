"""Test-wide settings: an Airflow home of our own, never the user's, and no example DAGs."""

import os
import tempfile

os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="feedwarehouse-airflow-"))
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
