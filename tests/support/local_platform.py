"""A minimal embedded-default platform.yaml that the hostile-input, canary and write tests
build against (no secret, no server)."""

PLATFORM = """\
version: 1.0.0
storage:
  default:
    type: local
    path: target/local/warehouse
catalogs:
  default:
    type: sql
    uri: sqlite:///target/local/catalog.db
    namespace: analytics
compute:
  default:
    type: duckdb
    properties:
      path: target/local/x.duckdb
      threads: 4
"""
