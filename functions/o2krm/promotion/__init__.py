"""SLO-gated promotion: evaluate SLOGates against Prometheus, serve the O2 IMS measurement-job API,
and roll a Porch package back to its previous good revision when a gate fails.

Module map (one job each):

- ``gates``      SLOGate and MeasurementJob as read from a package (typed, CRD defaults applied)
- ``verdict``    pure: measured samples + targets -> per-target and per-gate verdicts (fail closed)
- ``prometheus`` the Prometheus HTTP API client (httpx, timeouts, typed errors)
- ``measure``    runs a gate's MeasurementJob queries through the client
- ``sources``    finds gates, jobs and reports in files, package directories and published revisions
- ``report``     pure: a TS 28.312 IntentReport updated from gate verdicts
- ``rollback``   republishes the previous good revision through ``o2krm.porch.publish``
- ``o2ims_api``  pure: MeasurementJob resources as O2 IMS performance-API objects
- ``service``    the FastAPI measurement-job service; ``openapi.json`` is its published document
- ``render``     tables and -o json|yaml; ``commands`` and ``cli`` the command line

Heavy imports (httpx, FastAPI) happen inside the functions that need them.
"""
