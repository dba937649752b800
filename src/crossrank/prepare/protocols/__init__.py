"""The paper's sampling protocol per released dataset: a release -> a :class:`~crossrank.prepare.prepared.PreparedDataset`."""
