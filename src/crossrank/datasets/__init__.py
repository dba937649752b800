"""Datasets: each turns its source into the results contract plus document texts."""
