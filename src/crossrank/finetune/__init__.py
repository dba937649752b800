"""Contrastive fine-tuning of an encoder (the paper's section 3.2, appendix D.4, Table 10)."""
