"""Streaming readers of the released datasets' own file formats (CLIRMatrix, mMARCO, Large-Scale CLIR)."""
