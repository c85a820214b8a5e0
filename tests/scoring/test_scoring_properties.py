"""Properties of the score rules, for any mix of verdicts, objects and importances:
fixing a failing object never lowers a score; turning an object into 未测评 never raises one."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from scoring_helpers import config, item, run

VERDICTS = ["compliant", "partial", "non_compliant", "not_applicable", "not_assessed"]
BETTER = {"non_compliant": ["partial", "compliant"], "partial": ["compliant"]}
CFG_2025 = config()
CFG_2021 = config(template="2021")

units = st.lists(
    st.tuples(
        st.sampled_from(["general", "important", "key"]),
        st.sampled_from(["CES", "PSS"]),  # one technical and one management class
        st.lists(st.sampled_from(VERDICTS), min_size=1, max_size=3),  # one verdict per object
    ),
    min_size=1, max_size=12,
)


def _scores(spec, cfg):
    items = [item(f"L3-{cls}1-{i:02d}", importance=imp, control_point=f"cp{i % 3}")
             for i, (imp, cls, _) in enumerate(spec, start=1)]
    answers = {
        it.unit_id: [{"verdict": v, "asset": f"h{k}"} for k, v in enumerate(objs)]
        for it, (_, _, objs) in zip(items, spec, strict=True)
    }
    out = run(items, answers=answers, config=cfg)
    groups = {g.key: g.score for g in out.control_points + out.classes}
    return out.summary.compliance_rate, out.summary.score, groups


def _no_group_lower(before, after):
    for key, b in before.items():
        a = after[key]
        if b is not None and a is not None:
            assert a >= b - 1e-9, key
        if b is not None:
            assert a is not None, key  # improving a verdict never empties a group


def _mutations(spec, choose):
    for i, (_, _, objs) in enumerate(spec):
        for k, v in enumerate(objs):
            for new in choose(v):
                changed = [list(x) for x in spec]
                changed[i][2] = [*objs[:k], new, *objs[k + 1:]]
                yield [tuple(x) for x in changed]


@settings(max_examples=60, deadline=None)
@given(units)
def test_fixing_a_failing_object_never_lowers_any_score(spec):
    for cfg in (CFG_2025, CFG_2021):
        rate, score, groups = _scores(spec, cfg)
        for better in _mutations(spec, lambda v: BETTER.get(v, [])):
            r2, s2, g2 = _scores(better, cfg)
            assert r2 >= rate and s2 >= score
            _no_group_lower(groups, g2)


@settings(max_examples=60, deadline=None)
@given(units)
def test_not_assessed_never_raises_any_score(spec):
    for cfg in (CFG_2025, CFG_2021):
        rate, score, groups = _scores(spec, cfg)
        for worse in _mutations(spec, lambda v: ["not_assessed"] if v != "not_assessed" else []):
            r2, s2, g2 = _scores(worse, cfg)
            assert r2 <= rate and s2 <= score
            for key, b in groups.items():
                a = g2[key]
                if a is not None and b is not None:
                    assert a <= b + 1e-9, key
