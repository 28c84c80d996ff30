"""o2krm: intent-driven O-RAN O2 IMS provisioning as kpt KRM functions."""

__version__ = "0.1.0"
