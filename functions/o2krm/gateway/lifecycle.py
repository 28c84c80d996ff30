"""An intent's lifecycle in the gateway (its TMF921 ``lifecycleStatus``).

::

    POST ──▶ Created ──publish──▶ Published ──create requests──▶ Provisioning ──all fulfilled──▶ Provisioned
                │                     │                              │    ▲                          │
                └──── retries spent ──┴──────── Failed ◀── a request failed or vanished ─────────────┘
    DELETE ──▶ Deleting ──(last revision published, requests deleted)──▶ gone

A PATCH that changes the rendered package starts again at Created (the next revision).
``Provisioned`` says the O-Cloud fulfilled every ProvisioningRequest; it does not say the
intent's service levels are met: the SLO gates decide that, from measurements.
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    CREATED = "Created"
    PUBLISHED = "Published"
    PROVISIONING = "Provisioning"
    PROVISIONED = "Provisioned"
    FAILED = "Failed"
    DELETING = "Deleting"


# Work the gateway still has to do for an intent in this state (the reconciler resumes it).
PENDING_WORK = (State.CREATED, State.PUBLISHED, State.DELETING)
# States whose ProvisioningRequests the reconciler watches.
WATCHED = (State.PROVISIONING, State.PROVISIONED, State.FAILED)

# TM Forum Intent Ontology v3.6.0 (imo:IntentHandlingState) for each state. An intent is only
# reported compliant when measurements say so, which the gateway does not evaluate.
HANDLING_STATE = {
    State.CREATED: "StateIntentReceived",
    State.PUBLISHED: "StateIntentReceived",
    State.PROVISIONING: "StateIntentReceived",
    State.PROVISIONED: "StateIntentReceived",
    State.FAILED: "StateDegraded",
    State.DELETING: "StateIntentReceived",
}
