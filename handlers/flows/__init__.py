"""The conversation's flows, one module each; handlers/flows/registry.py lists them."""
