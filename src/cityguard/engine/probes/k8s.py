"""`k8s`: values inside the pod specs of Kubernetes manifests (multi-document YAML).

`select` is a dotted path inside each pod spec, wherever the workload kind keeps it
(Pod: spec; Deployment & co: spec.template.spec; CronJob: spec.jobTemplate.spec.template.spec).
A branch where the path is absent yields `default` (or None), so "no securityContext" is
judged rather than silently skipped.
"""

from __future__ import annotations

from typing import Any

from cityguard.engine import docpath
from cityguard.engine.probes.base import (
    PATH,
    BaseProbe,
    Observation,
    ProbeContext,
    ProbeError,
    Value,
    path_problem,
    register,
)
from cityguard.policy.messages import joined
from cityguard.policy.messages import text as say
from cityguard.targets.base import Target

POD_SPEC = {
    "Pod": ["spec"],
    "Deployment": ["spec", "template", "spec"],
    "StatefulSet": ["spec", "template", "spec"],
    "DaemonSet": ["spec", "template", "spec"],
    "ReplicaSet": ["spec", "template", "spec"],
    "ReplicationController": ["spec", "template", "spec"],
    "Job": ["spec", "template", "spec"],
    "CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
}


def _objects(doc: Any) -> list[Any]:
    if isinstance(doc, dict) and doc.get("kind") == "List" and isinstance(doc.get("items"), list):
        return [o for item in doc["items"] for o in _objects(item)]
    return [doc] if isinstance(doc, dict) else []


def manifests(ctx: ProbeContext, path: str) -> tuple[list[Any], str]:
    """Objects of one manifest file, and a note when the file is not plain YAML."""

    def compute() -> tuple[list[Any], str]:
        text = ctx.read_text(path)
        if text is None:
            return [], ""
        try:
            docs = docpath.load_yaml_documents(text)
        except Exception as exc:  # a Helm template or a broken file: not a manifest
            return [], say("engine.probe.k8s_skipped", path=path,
                               error=(str(exc).splitlines() or [""])[0])
        return [o for d in docs for o in _objects(d)], ""

    return ctx.cached(("k8s", path), compute)


@register
class K8sProbe(BaseProbe):
    name = "k8s"
    params = {
        "path": PATH,
        "select": {"type": "string", "minLength": 1},
        "kinds": {"type": "array", "items": {"enum": sorted(POD_SPEC)}, "minItems": 1},
        "default": {"type": ["string", "number", "boolean"]},
    }
    required = ("path", "select")

    def subject(self, params: dict[str, Any]) -> str:
        return f"{params['path']} {params['select']}"

    def problems(self, params: dict[str, Any]) -> list[tuple[str, str]]:
        problem = path_problem(params.get("select", ""))
        return [("select", problem)] if problem else []

    def collect(self, target: Target, params: dict[str, Any], ctx: ProbeContext) -> Observation:
        try:
            steps = docpath.parse_path(params["select"])
        except ValueError as exc:
            raise ProbeError(str(exc)) from None
        kinds = set(params.get("kinds") or POD_SPEC)
        default = params.get("default")
        values: list[Value] = []
        notes: list[str] = []
        workloads = 0
        for path in ctx.glob(params["path"]):
            objects, note = manifests(ctx, path)
            if note:
                notes.append(note)
            for obj in objects:
                kind = obj.get("kind")
                if kind not in kinds:
                    continue
                meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
                name = f"{kind}/{meta.get('name', '?')}"
                specs = docpath.resolve(obj, list(POD_SPEC[kind]))
                for spec, line in specs:
                    if spec is docpath.MISSING:
                        continue
                    workloads += 1
                    for v, vline in docpath.resolve(spec, steps, line):
                        value = default if v is docpath.MISSING else v
                        values.append(Value(value, file=path, line=vline, subject=name))
        if not workloads:
            notes.insert(0, say("engine.probe.no_workload", path=params["path"]))
        return Observation.of(values, note=joined(notes))
