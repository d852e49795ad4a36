"""Runs rendered SageMaker pipeline definitions on this machine (see runner.py)."""
