"""Bronze: the raw files, loaded as they are into Iceberg tables (dbt builds silver and gold)."""

from pathlib import Path

import pyarrow as pa
from pyarrow import csv

from floec.runtime import Catalog, floe_asset

DATA = Path(__file__).resolve().parent.parent / "data"


@floe_asset(layer="bronze", outputs=["raw_customers"], group_name="bronze")
def raw_customers(catalog: Catalog) -> None:
    """Every customer, replaced on each load."""
    catalog.write("raw_customers", csv.read_csv(DATA / "customers.csv"), mode="overwrite")


@floe_asset(layer="bronze", outputs=["raw_orders"], group_name="bronze")
def raw_orders(context, catalog: Catalog) -> None:
    """Orders, appended one file at a time: data/orders.csv, then each file that arrives in
    data/incoming/ (the `incoming_orders` sensor runs this when one does). A file is loaded once."""
    loaded = set()
    if catalog.exists("raw_orders"):
        loaded = set(catalog.read("raw_orders").column("source_file").to_pylist())
    for path in [DATA / "orders.csv", *sorted((DATA / "incoming").glob("*.csv"))]:
        name = str(path.relative_to(DATA))
        if name not in loaded:
            orders = csv.read_csv(path)
            orders = orders.append_column("source_file", pa.array([name] * orders.num_rows))
            catalog.write("raw_orders", orders)
            context.log.info(f"loaded {orders.num_rows} orders from {name}")
