"""Fixtures of the dense tests: a spy on the encoder loads."""

from __future__ import annotations

from collections.abc import Callable

import pytest


class LoadCounter:
    """Wraps load_encoder: counts model loads and the texts each loaded model encodes."""

    def __init__(self, monkeypatch, fail: bool = False):
        import crossrank.dense.embedding as embedding

        self.loads, self.encoded, self.precisions = 0, [], []
        real = embedding.load_encoder

        def load(spec, device=None, precision="float32"):
            if fail:
                raise AssertionError("the model was loaded although everything is cached")
            self.loads += 1
            self.precisions.append(precision)
            model = real(spec, device, precision)
            original = model.encode

            def encode(texts, **kwargs):
                self.encoded.extend(texts)
                return original(texts, **kwargs)

            model.encode = encode
            return model

        monkeypatch.setattr(embedding, "load_encoder", load)


@pytest.fixture
def count_loads(monkeypatch: pytest.MonkeyPatch) -> Callable[..., LoadCounter]:
    """Start counting encoder loads (``count_loads()``), or forbid them (``count_loads(fail=True)``); ``monkeypatch.undo()`` stops."""
    return lambda fail=False: LoadCounter(monkeypatch, fail=fail)
