"""`evidence` (documents on the target or beside the manifest) and `k8s` (manifests)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from engine_helpers import write_tree


def test_evidence_on_target_and_relative(tmp_path: Path, run_rules) -> None:
    root = write_tree(tmp_path / "r", {"srv/backup/reports/2024-01.pdf": "x",
                                       "srv/backup/reports/2024-06.pdf": "y"})
    old = time.time() - 200 * 86400
    os.utime(root / "srv/backup/reports/2024-01.pdf", (old, old))
    new = time.time() - 3 * 86400
    os.utime(root / "srv/backup/reports/2024-06.pdf", (new, new))
    ex = run_rules(root, [{"probe": "evidence", "path": "/srv/backup/reports/*.pdf",
                           "expect": {"exists": True}}])
    assert ex.status.value == "pass"
    age = run_rules(root, [{"probe": "evidence", "path": "/srv/backup/reports/*.pdf",
                            "property": "age_days", "expect": {"age_days_le": 7}}])
    assert age.status.value == "pass" and age.evidence[0].file.endswith("2024-06.pdf")
    # relative paths are read beside the manifest (the run's base directory: tmp_path here)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "incident-plan.docx").write_text("plan")
    rel = run_rules(root, [{"probe": "evidence", "path": "docs/incident-*.docx",
                            "expect": {"exists": True}}])
    assert rel.status.value == "pass"
    none = run_rules(root, [{"probe": "evidence", "path": "docs/drill-*.pdf",
                             "expect": {"exists": True}}])
    assert none.status.value == "fail"


MANIFESTS = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      hostNetwork: true
      containers:
        - name: nginx
          image: nginx:latest
          securityContext: {privileged: true, runAsNonRoot: false}
        - name: sidecar
          image: registry.local/log:1.4.2
          resources: {limits: {cpu: 100m, memory: 64Mi}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: report}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: job
              image: registry.local/report@sha256:abc
              securityContext: {runAsNonRoot: true, privileged: false}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: [{port: 80}]}
"""


def test_k8s_pod_specs(tmp_path: Path, run_rules) -> None:
    root = write_tree(tmp_path / "r", {"deploy/app.yaml": MANIFESTS,
                                       "deploy/chart/templates/t.yaml": "{{ if .x }}\n: bad\n"})

    def run(select: str, expect: dict, **kw):
        return run_rules(root, [{"probe": "k8s", "path": "/deploy/**/*.yaml", "select": select,
                                 "expect": expect, **kw}])

    priv = run("containers[*].securityContext.privileged", {"not_equals": True}, default=False)
    assert priv.status.value == "fail"
    assert [(e.observed, e.ok) for e in priv.evidence] == [(True, False), (False, True),
                                                           (False, True)]
    assert "Deployment/web" in priv.evidence[0].subject and priv.evidence[0].line == 11
    host = run("hostNetwork", {"equals": False}, default=False)
    assert host.status.value == "fail" and len(host.evidence) == 2
    tags = run("containers[*].image", {"not_regex": r"(:latest$)|^[^:@]+$"})
    assert tags.status.value == "fail" and sum(1 for e in tags.evidence if not e.ok) == 1
    limits = run("containers[*].resources.limits.memory", {"exists": True, })
    assert limits.status.value == "pass"
    missing = run("containers[*].resources.limits.memory", {"regex": "Mi$"})
    assert missing.status.value == "fail"  # two containers have no limit: None, not skipped
    only_cron = run("containers[*].securityContext.runAsNonRoot", {"equals": True},
                    kinds=["CronJob"])
    assert only_cron.status.value == "pass" and len(only_cron.evidence) == 1


def test_k8s_skips_templates_with_a_note(tmp_path: Path, run_rules) -> None:
    root = write_tree(tmp_path / "r", {"chart/templates/t.yaml": "{{ if .x }}\n: bad\n"})
    res = run_rules(root, [{"probe": "k8s", "path": "/chart/**/*.yaml", "select": "hostPID",
                            "expect": {"equals": False}}])
    assert res.status.value == "fail"
    assert "no workload" in res.evidence[0].message and "skipped" in res.evidence[0].message


def test_k8s_without_workloads(tmp_path: Path, run_rules) -> None:
    root = write_tree(tmp_path / "r", {"deploy/svc.yaml": "kind: Service\nmetadata: {name: a}\n"})
    res = run_rules(root, [{"probe": "k8s", "path": "/deploy/*.yaml", "select": "hostPID",
                            "expect": {"equals": False}, }])
    assert res.status.value == "fail" and "no workload" in res.evidence[0].message
    ok = run_rules(root, [{"probe": "k8s", "path": "/deploy/*.yaml", "select": "hostPID",
                           "expect": {"equals": False, "missing": "not_applicable"}}])
    assert ok.status.value == "not_applicable"
