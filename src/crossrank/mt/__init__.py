"""Machine translation of documents into English with an NLLB-200 (M2M100-family) model.

``codes`` maps the datasets' language codes to FLORES-200, ``segment`` cuts documents into
pieces the model can read, ``nllb`` batches and generates, ``cache`` keeps every translated
piece, ``documents`` puts the four together per document, ``quality`` scores translations
against a parallel English reference.
"""
