"""`Catalog`: the Dagster resource a data engineer's asset gets as its `catalog` argument.

It is built from the compiled artifacts (`FloeDefinitions` does it), so asset code holds no
catalog set-up: `catalog.write("raw_orders", table)` lands in the asset's layer's namespace of the
catalog the platform chose for that layer. The pyiceberg work is in floec.runtime.iceberg.
"""

# No `from __future__ import annotations`: Dagster (pydantic) reads the field annotations.
from typing import Any, Optional

import dagster as dg

from floec.runtime.iceberg import IcebergTables, Mode


class Catalog(dg.ConfigurableResource):  # type: ignore[type-arg]
    """Iceberg tables by name: `read`, `write`, `table`, and the pyiceberg `catalog` itself.

    `layer` is the default layer of names (an asset's own layer when injected into it); a name
    with a dot (`namespace.table`) is taken as it is.
    """

    artifacts_path: str
    layer: Optional[str] = None  # noqa: UP045 (pydantic on Python 3.10 needs Optional here)

    @property
    def _tables(self) -> IcebergTables:
        return IcebergTables.of(self.artifacts_path)

    def for_layer(self, layer: Optional[str]) -> "Catalog":  # noqa: UP045
        """The same catalog with another default layer."""
        return Catalog(artifacts_path=self.artifacts_path, layer=layer)

    @property
    def catalog(self) -> Any:
        """The pyiceberg catalog of the default layer."""
        return self._tables.catalog(self.layer)

    def namespace(self, layer: Optional[str] = None) -> str:  # noqa: UP045
        return self._tables.namespace(layer or self.layer)

    def table(self, name: str, layer: Optional[str] = None) -> Any:  # noqa: UP045
        """The pyiceberg `Table`."""
        return self._tables.table(name, layer or self.layer)

    def exists(self, name: str, layer: Optional[str] = None) -> bool:  # noqa: UP045
        """Is there such a table (yet)?"""
        return self._tables.exists(name, layer or self.layer)

    def read(self, name: str, layer: Optional[str] = None) -> Any:  # noqa: UP045
        """The whole table as a `pyarrow.Table`."""
        return self._tables.read(name, layer or self.layer)

    def write(
        self,
        name: str,
        data: Any,
        mode: Mode = "append",
        layer: Optional[str] = None,  # noqa: UP045
    ) -> Any:
        """Append (default) or overwrite with pyarrow or pandas data, in one Iceberg commit;
        creates the namespace and the table on first write and adds new columns by name."""
        return self._tables.write(name, data, mode, layer or self.layer)
