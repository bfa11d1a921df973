"""Amparo: protection case management and early warning for human rights defenders."""
