"""Build the JSON Schema of the OCSF classes cityguard emits from the OCSF schema source at one
pinned release (see SOURCE). Run by hand when the pinned release changes:

    python tests/assets/notify/ocsf/build_schema.py /path/to/ocsf-schema.git 1.8.0

It reads the class, object, profile and dictionary files with `git show TAG:PATH` and writes
ocsf-<TAG>-findings.schema.json next to this script: classes 2002 (Vulnerability Finding) and
2003 (Compliance Finding) with every object they reach. Per attribute: its type from the
dictionary (objects by reference, arrays, integer enums of *_id), `requirement: required` as
JSON Schema `required`, 0 (Unknown) and 99 (Other) in every *_id enum as OCSF reserves them,
the objects' `just_one` / `at_least_one` constraints, and no
attribute the class or its profiles do not define (additionalProperties false). Attributes
added by profiles are optional (a profile's requirements apply only when it is declared).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

CLASSES = {"vulnerability_finding": "events/findings/vulnerability_finding.json",
           "compliance_finding": "events/findings/compliance_finding.json"}


class Source:
    def __init__(self, repo: str, tag: str) -> None:
        self.repo, self.tag = repo, tag
        self.cache: dict[str, Any] = {}

    def read(self, path: str) -> Any:
        if path not in self.cache:
            text = subprocess.run(["git", "--git-dir", self.repo, "show", f"{self.tag}:{path}"],
                                  check=True, capture_output=True, text=True).stdout
            self.cache[path] = json.loads(text)
        return self.cache[path]


def merged(src: Source, path: str, kind: str) -> dict[str, Any]:
    """A class or object with its parents' attributes and its includes merged in."""
    data = src.read(path)
    attrs: dict[str, dict[str, Any]] = {}
    constraints: dict[str, list[str]] = {}
    parent = data.get("extends")
    if parent:
        ppath = f"events/{parent}.json" if kind == "event" and parent == "base_event" else \
            f"events/findings/{parent}.json" if kind == "event" else f"objects/{parent}.json"
        base = merged(src, ppath, kind)
        attrs, constraints = base["attributes"], dict(base["constraints"])
    own = dict(data.get("attributes") or {})
    includes = own.pop("$include", [])
    for inc in [includes] if isinstance(includes, str) else includes:
        extra = src.read(inc).get("attributes") or {}
        for name, spec in extra.items():
            if name == "$include":
                continue
            spec = dict(spec)
            if inc.startswith("profiles/"):
                spec["requirement"] = "optional"
            attrs[name] = {**attrs.get(name, {}), **spec}
    for name, spec in own.items():
        old = attrs.get(name, {})
        new = {**old, **spec}
        if "enum" in old and "enum" in spec:
            new["enum"] = {**old["enum"], **spec["enum"]}
        attrs[name] = new
    constraints.update(data.get("constraints") or {})
    return {"name": data["name"], "uid": data.get("uid"), "attributes": attrs,
            "constraints": constraints}


class Builder:
    def __init__(self, src: Source) -> None:
        self.src = src
        self.dictionary = src.read("dictionary.json")
        self.types = self.dictionary["types"]["attributes"]
        self.defs: dict[str, Any] = {}

    def scalar(self, type_name: str) -> dict[str, Any]:
        base = type_name
        while base in self.types and self.types[base].get("type"):
            base = self.types[base]["type"]
        return {"string_t": {"type": "string"}, "integer_t": {"type": "integer"},
                "long_t": {"type": "integer"}, "float_t": {"type": "number"},
                "boolean_t": {"type": "boolean"}}.get(base, {})

    def attribute(self, name: str, spec: dict[str, Any]) -> dict[str, Any]:
        info = {**self.dictionary["attributes"].get(name, {}), **spec}
        type_name = info.get("type", "")
        if type_name.endswith("_t"):
            schema = dict(self.scalar(type_name))
            if info.get("enum") and schema.get("type") == "integer":
                values = {int(k) for k in info["enum"]}
                if name.endswith("_id"):  # OCSF reserves 0 Unknown and 99 Other in every one
                    values |= {0, 99}
                schema["enum"] = sorted(values)
        else:
            self.object(type_name)
            schema = {"$ref": f"#/$defs/{type_name}"}
        if info.get("is_array"):
            schema = {"type": "array", "items": schema}
        return schema

    def shape(self, entity: dict[str, Any]) -> dict[str, Any]:
        props = {n: self.attribute(n, s) for n, s in sorted(entity["attributes"].items())}
        out: dict[str, Any] = {"type": "object", "properties": props,
                               "additionalProperties": False}
        required = sorted(n for n, s in entity["attributes"].items()
                          if s.get("requirement") == "required")
        if required:
            out["required"] = required
        one = entity["constraints"].get("just_one")
        if one:
            out["oneOf"] = [{"required": [n]} for n in one]
        least = entity["constraints"].get("at_least_one")
        if least:
            out["anyOf"] = [{"required": [n]} for n in least]
        return out

    def object(self, name: str) -> None:
        if name in self.defs or not name:
            return
        self.defs[name] = {}  # a placeholder while its own attributes are built (cycles)
        self.defs[name] = self.shape(merged(self.src, f"objects/{name}.json", "object"))

    def event(self, path: str) -> dict[str, Any]:
        entity = merged(self.src, path, "event")
        schema = self.shape(entity)
        class_uid = 2000 + int(entity["uid"])
        activities = sorted(int(k) for k in entity["attributes"]["activity_id"]["enum"])
        schema["properties"]["class_uid"] = {"const": class_uid}
        schema["properties"]["category_uid"] = {"const": 2}
        schema["properties"]["type_uid"] = {"enum": [class_uid * 100 + a for a in activities]}
        return schema


def main(repo: str, tag: str) -> None:
    builder = Builder(Source(repo, tag))
    classes = {name: builder.event(path) for name, path in CLASSES.items()}
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://cityguard.invalid/tests/ocsf-{tag}-findings.schema.json",
        "title": f"OCSF {tag}: Vulnerability Finding (2002) and Compliance Finding (2003)",
        "description": f"Built by build_schema.py from ocsf/ocsf-schema at tag {tag}.",
        "oneOf": [{"$ref": f"#/$defs/{name}"} for name in classes],
        "$defs": {**classes, **dict(sorted(builder.defs.items()))},
    }
    out = Path(__file__).with_name(f"ocsf-{tag}-findings.schema.json")
    out.write_text(json.dumps(schema, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{out}: {len(builder.defs)} objects")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
