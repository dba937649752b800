"""The shared core every stage builds on: errors, file I/O, the results contract, runs and run names,
paths, content-addressed cache layout, devices, model sources, provenance and job logging.

Core modules never import a stage (``crossrank.prepare`` ... ``crossrank.track``), nor the
configuration layer on top (``crossrank.config``, ``crossrank.plan``)."""
