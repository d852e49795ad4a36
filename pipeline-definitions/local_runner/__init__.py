"""Runs rendered SageMaker pipeline definitions on this machine.

- runner.py: the run (ordering, branches, the report) and the command line (``pipeline:local``);
- values.py: parameters, execution variables and step properties, and their resolution;
- ranges.py: the parameters' values checked where the pipeline uses them, before any step runs;
- settings.py: a pipeline's local settings (``<id>.local.json``) and the tokens of their commands;
- seeds.py: writing the seeds into the local S3 folders;
- steps/: one executor per step type, and the substituted steps;
- aws_standins.py: the AWS APIs that step scripts call, answered locally;
- transform_job.py: batch transform with a model's own inference handlers.

Nothing here knows a particular pipeline: what one needs locally is in its local settings.
"""
