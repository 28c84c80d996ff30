"""3GPP TS 28.312 Rel-18 intents: the model o2krm writes, its KRM envelopes, the initial
IntentReport, unit normalisation and validation against the official OpenAPI documents.

Import the submodules directly; this package imports nothing heavy on its own.
"""
