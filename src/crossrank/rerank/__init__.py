"""Cross-encoder re-ranking (the paper's section 3.2, appendix D.5): training data, training, scoring and re-ranked runs."""
