"""The paper's sampling protocols (its section 3.1 and appendix C), one module per released dataset.

Each module reads a release with the readers of :mod:`crossrank.datasets`, draws the evaluated
queries and the document pool, and returns a :class:`~crossrank.datasets.prepared.PreparedDataset`.
``raw_files`` lists every file a protocol reads, so the workflow can declare them as inputs and
the ir_datasets export can write exactly those.
"""
