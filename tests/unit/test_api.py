"""The package's public API is importable by name."""
import kg


def test_api_exports_the_public_functions():
    for name in kg.__all__:
        assert callable(getattr(kg, name)), name
