"""Observers: accreditation and scope, incidents, several sources per station, PVT, evidence.

Modules (see ``docs/observers.md``):

* :mod:`~shailoo.observe.observers` — :class:`Observer` (scope of stations/districts, valid
  dates) and the scope check that refuses reports outside it;
* :mod:`~shailoo.observe.incidents` — categories, statuses, the incident projection;
* :mod:`~shailoo.observe.evidence_store` — evidence files stored by SHA-256 beside the database;
* :mod:`~shailoo.observe.pvt` — parallel vote tabulation: sample design (NDI), stratified ratio
  estimation with stations as clusters, comparison with the official figures (pure);
* :mod:`~shailoo.observe.service` — the same on the ledger (accredit, report and update
  incidents, record observers' copies, reconcile, resolve, design and estimate the PVT);
* :mod:`~shailoo.observe.view` — everything known about one station.

The pure line-by-line comparison of protocols is :mod:`shailoo.checks.reconcile`.
"""
