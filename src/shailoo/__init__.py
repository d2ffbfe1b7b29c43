"""Shailoo: an open election results and integrity system.

The package is layered (see ``docs/architecture.md``): ``domain`` holds plain values,
``law`` turns votes into seats, ``checks`` says whether a protocol adds up, ``ledger``
keeps every change in a hash chain, ``tally`` projects the ledger into results,
``forensics`` and ``observe`` test the numbers, and ``api``/``web``/``cli`` sit on top.
"""

__version__ = "0.1.0"
