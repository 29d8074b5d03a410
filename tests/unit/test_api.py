"""The package's public API is importable by name."""
import kg
import kg.checks.shacl  # the submodule must not hide the API's validate_graph


def test_api_exports_the_public_functions():
    for name in kg.__all__:
        assert callable(getattr(kg, name)), name
    assert kg.validate_graph is kg.checks.shacl.validate
