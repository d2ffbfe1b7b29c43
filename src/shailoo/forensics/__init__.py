"""Statistical tests that expose manufactured results (one module per test, each citing its paper).

>>> from shailoo.forensics import StationTable, run
>>> report = run(StationTable.from_csv("protocols.csv"), replicates=1000)  # doctest: +SKIP
>>> print(report.summary())  # doctest: +SKIP

Statistics flag; people decide: every test states its null and what it cannot say.
"""

from shailoo.forensics.battery import run
from shailoo.forensics.report import ForensicReport, RiskTable, StationRisk, TestResult
from shailoo.forensics.table import StationTable

__all__ = ["ForensicReport", "RiskTable", "StationRisk", "StationTable", "TestResult", "run"]
