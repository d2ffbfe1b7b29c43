"""Build hook for the optional C module ``shailoo._speedups`` (everything else is in
pyproject.toml). ``optional=True``: without a C compiler or OpenSSL's headers the install
still succeeds and shailoo runs the same loops in Python (``shailoo.speedups``)."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "shailoo._speedups",
            sources=["src/shailoo/_speedups.c"],
            libraries=["crypto"],
            extra_compile_args=["-O2", "-Wall", "-Wno-declaration-after-statement"],
            optional=True,
        )
    ]
)
