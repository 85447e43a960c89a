"""Is a received JSON event a valid OpenLineage run event?

The OpenLineage JSON Schemas are not shipped in any installed package and the network is off, so
the check is built from two things that are here: the spec's required fields (OpenLineage.json
2-0-2: a RunEvent has eventTime, producer, schemaURL, run.runId as a UUID, job.namespace and
job.name; eventType is one of START, RUNNING, COMPLETE, ABORT, FAIL, OTHER; a dataset has
namespace and name; every facet has _producer and _schemaURL), and the client's own event
classes, whose attrs validators (UUID run ids, ISO date-times with a time, URIs) run when the
event is rebuilt from the JSON. The rebuilt event, serialised by the client, must say the same.
"""

from __future__ import annotations

from typing import Any

EVENT_TYPES = {"START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER"}


def check_event(event: dict[str, Any]) -> None:
    """Raise AssertionError (or the client's ValueError) when `event` is not valid."""
    from openlineage.client.event_v2 import (
        InputDataset,
        Job,
        OutputDataset,
        Run,
        RunEvent,
        RunState,
    )
    from openlineage.client.facet_v2 import (
        error_message_run,
        job_type_job,
        parent_run,
        schema_dataset,
    )
    from openlineage.client.serde import Serde

    for field in ("eventTime", "producer", "schemaURL", "run", "job", "eventType"):
        assert field in event, f"missing {field}"
    assert event["eventType"] in EVENT_TYPES
    assert event["schemaURL"].startswith("https://openlineage.io/spec/")
    assert event["job"]["namespace"] and event["job"]["name"]
    for dataset in [*event.get("inputs", []), *event.get("outputs", [])]:
        assert dataset["namespace"] and dataset["name"]
    every_facet = [
        *event["run"].get("facets", {}).values(),
        *event["job"].get("facets", {}).values(),
        *(f for d in event.get("outputs", []) for f in d.get("facets", {}).values()),
        *(f for d in event.get("inputs", []) for f in d.get("facets", {}).values()),
    ]
    for facet in every_facet:
        assert facet["_producer"] and facet["_schemaURL"].startswith("https://openlineage.io/")

    run_facets: dict[str, Any] = {}
    for key, facet in event["run"].get("facets", {}).items():
        if key == "parent":
            run_facets[key] = parent_run.ParentRunFacet(
                run=parent_run.Run(runId=facet["run"]["runId"]),
                job=parent_run.Job(namespace=facet["job"]["namespace"], name=facet["job"]["name"]),
                producer=facet["_producer"],
            )
        elif key == "errorMessage":
            run_facets[key] = error_message_run.ErrorMessageRunFacet(
                message=facet["message"],
                programmingLanguage=facet["programmingLanguage"],
                stackTrace=facet.get("stackTrace"),
                producer=facet["_producer"],
            )
        else:
            raise AssertionError(f"unexpected run facet {key}")
    job_facets: dict[str, Any] = {}
    for key, facet in event["job"].get("facets", {}).items():
        assert key == "jobType", key
        job_facets[key] = job_type_job.JobTypeJobFacet(
            processingType=facet["processingType"],
            integration=facet["integration"],
            jobType=facet.get("jobType"),
            producer=facet["_producer"],
        )
    outputs = []
    for dataset in event.get("outputs", []):
        facets: dict[str, Any] = {}
        for key, facet in dataset.get("facets", {}).items():
            assert key == "schema", key
            facets[key] = schema_dataset.SchemaDatasetFacet(
                fields=[
                    schema_dataset.SchemaDatasetFacetFields(name=f["name"], type=f.get("type"))
                    for f in facet["fields"]
                ],
                producer=facet["_producer"],
            )
        outputs.append(
            OutputDataset(namespace=dataset["namespace"], name=dataset["name"], facets=facets)
        )
    rebuilt = RunEvent(
        eventType=RunState(event["eventType"]),
        eventTime=event["eventTime"],
        run=Run(runId=event["run"]["runId"], facets=run_facets),
        job=Job(namespace=event["job"]["namespace"], name=event["job"]["name"], facets=job_facets),
        inputs=[
            InputDataset(namespace=d["namespace"], name=d["name"]) for d in event.get("inputs", [])
        ],
        outputs=outputs,
        producer=event["producer"],
    )
    again = Serde.to_dict(rebuilt)
    assert again == Serde.to_dict(Serde.remove_nulls_and_enums(event)), (again, event)
