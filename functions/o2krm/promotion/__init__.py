"""SLO-gated promotion: evaluate SLOGates against Prometheus, serve the O2 IMS measurement-job API,
and roll a Porch package back to its previous good revision when a gate fails.

Module map (one job each):

- ``gates``      SLOGate and MeasurementJob as read from a package (typed, CRD defaults applied)
- ``verdict``    pure: measured samples + targets -> per-target and per-gate verdicts (fail closed);
                 ``outcome`` the exit codes they map to
- ``prometheus`` the Prometheus HTTP API client (httpx, timeouts, typed errors)
- ``measure``    runs a gate's MeasurementJob queries through the client
- ``evaluation`` which server each gate is queried on, once or ``--watch``
- ``sources``    finds gates, jobs and reports in files, package directories and published revisions
- ``report``     pure: a TS 28.312 IntentReport updated from gate verdicts; ``report_files`` writes it
- ``rollback``   republishes the previous good revision through ``o2krm.porch.publish``
- ``o2ims_api``  pure: MeasurementJob resources as O2 IMS performance-API objects
- ``service``    the FastAPI measurement-job service; ``openapi.json`` is its published document;
                 ``remote`` the client ``mj --server`` uses
- ``render``     tables and -o json|yaml; ``commands`` and ``cli`` the command line

httpx is imported inside the functions that talk HTTP, and FastAPI only by ``service``, which only
the commands that serve import: registering the commands on o2imsctl costs little.
"""
