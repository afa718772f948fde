"""A department's weekly report reaches only that department's recipients."""

from __future__ import annotations

import dataclasses

from cockpit.config import load_settings
from cockpit.reports.mail import deliveries


def _settings(to=("office@school.edu.cn",), departments=None):
    s = load_settings(env={})
    smtp = dataclasses.replace(
        s.reports.smtp,
        host="mail",
        sender="cockpit@school.edu.cn",
        to=tuple(to),
        departments=departments or {},
    )
    return dataclasses.replace(s, reports=dataclasses.replace(s.reports, smtp=smtp))


FILES = [
    {"kind": "school", "department": None, "format": "pdf", "week": "2026-W47"},
    {"kind": "school", "department": None, "format": "card", "week": "2026-W47"},
    {"kind": "school", "department": None, "format": "png", "week": "2026-W47"},
    {"kind": "department", "department": "JX01", "format": "pdf", "week": "2026-W47"},
    {"kind": "department", "department": "JX01", "format": "card", "week": "2026-W47"},
    {"kind": "department", "department": "JX02", "format": "pdf", "week": "2026-W47"},
]


def test_each_report_goes_to_its_own_audience():
    plan = deliveries(_settings(departments={"JX01": ("dean1@school.edu.cn",)}), FILES)
    assert [(to, [(f["kind"], f["department"], f["format"]) for f in files]) for to, files in plan] == [
        (("office@school.edu.cn",), [("school", None, "pdf"), ("school", None, "card")]),
        (("dean1@school.edu.cn",), [("department", "JX01", "pdf"), ("department", "JX01", "card")]),
    ]  # JX02 has no addresses: its report is not mailed to anyone


def test_the_school_list_never_gets_a_department_report():
    plan = deliveries(_settings(departments={}), FILES)
    assert all(f["kind"] == "school" for _to, files in plan for f in files)


def test_department_addresses_in_config(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        "reports: {smtp: {host: mail, from: a@b.cn, departments: {JX01: [d@b.cn, e@b.cn]}}}\n",
        encoding="utf-8",
    )
    s = load_settings(env={"COCKPIT_CONFIG": str(cfg)})
    assert s.reports.smtp.departments == {"JX01": ("d@b.cn", "e@b.cn")}
    assert s.reports.smtp.enabled
