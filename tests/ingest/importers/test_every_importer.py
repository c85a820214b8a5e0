"""The checks every importer shares, parametrised over the registry and each importer's
samples (tests/assets/ingest/<format>/samples.yaml). The per-format modules (test_<format>.py)
hold only what is particular to one format.

For every sample: auto-detection picks its importer without a tie; the independently counted
number of findings comes out (and a reason is written where it differs from DefectDojo's);
the first finding has the recorded attributes; every finding is well formed; no two distinct
results share a fingerprint and every finding that has a source line keeps it in its
location; imported twice into a real store, the second import brings nothing new, reopens and
fixes nothing. XML formats refuse entities and DTDs; cut copies are one DataError.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from importer_helpers import (
    assert_detected,
    assert_refuses_entities,
    assert_truncated_fails,
    assert_well_formed,
    parse,
)
from samples import (
    Sample,
    all_samples,
    by_id,
    defectdojo_counts,
    formats_with_samples,
    xml_roots,
)

from cityguard import ingest
from cityguard.core.errors import DataError
from cityguard.ingest.mapping import unit_ids_for
from cityguard.model import Severity
from cityguard.policy.messages import t

SAMPLES = all_samples()
READABLE = [s for s in SAMPLES if not s.invalid]


def _need(sample: Sample) -> Path:
    if not sample.available:
        pytest.skip(f"sample not found: {sample.path}")
    return sample.path


def _findings(sample: Sample) -> list:
    return parse(sample.format, _need(sample))


def test_every_importer_has_samples() -> None:
    missing = sorted({c.name for c in ingest.formats()} - formats_with_samples())
    assert not missing, f"importers without tests/assets/ingest/<format>/samples.yaml: {missing}"
    unknown = sorted(formats_with_samples() - {c.name for c in ingest.formats()})
    assert not unknown, f"samples for importers that do not exist: {unknown}"
    for sample in SAMPLES:
        assert sample.invalid or sample.findings is not None, f"{sample.id}: no `findings` count"
        if sample.corpus_rel is None:
            assert len(sample.source) > 10, f"{sample.id}: a local sample needs a `source` note"
    ids = [s.id for s in SAMPLES]
    assert len(ids) == len(set(ids)), "a sample is listed twice"


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.id for s in SAMPLES])
def test_detected_as_its_format(sample: Sample) -> None:
    path = _need(sample)
    if sample.detect:
        assert ingest.detect(path).name == sample.detect
    else:
        assert_detected(sample.format, path)


@pytest.mark.parametrize("sample", READABLE, ids=[s.id for s in READABLE])
def test_count_first_finding_and_shape(sample: Sample) -> None:
    findings = _findings(sample)
    assert len(findings) == sample.findings, f"{sample.id}: {len(findings)} findings"
    dd = defectdojo_counts().get(sample.corpus_rel or "", None)
    if dd != sample.findings:
        assert len(sample.why) > 20, f"{sample.id}: {sample.findings} vs DefectDojo's {dd}: why?"
    for name, value in sample.first.items():
        got = getattr(findings[0], name)
        assert getattr(got, "value", got) == value, f"{sample.id}: first finding's {name}"
    assert_well_formed(findings, sample.format, unique=not sample.repeats)
    for f in findings:  # every weakness lands on some MLPS unit
        if f.severity.rank >= Severity.LOW.rank:
            assert unit_ids_for(f, 3), f"{sample.id}: {f.rule_id} maps to nothing"


@pytest.mark.parametrize("sample", READABLE, ids=[s.id for s in READABLE])
def test_distinct_results_keep_their_identity_and_line(sample: Sample) -> None:
    findings = _findings(sample)
    groups: dict[str, list] = defaultdict(list)
    for f in findings:
        groups[f.fingerprint].append(f)
        line = f.extra.get("line")
        if line:  # a result with a source line keeps it where people (and identity) see it
            assert f":{line}" in f.location, f"{sample.id}: line {line} not in {f.location!r}"
        if f.first_seen and f.last_seen:
            assert f.first_seen <= f.last_seen, f"{sample.id}: seen before it was first seen"
    repeated = sum(len(g) - 1 for g in groups.values())
    assert repeated == sample.repeats, f"{sample.id}: {repeated} repeated identities"
    for group in groups.values():  # a repeat must be the same result, never another one
        assert len({(f.location, f.extra.get("line")) for f in group}) == 1, group


@pytest.mark.parametrize("sample", READABLE, ids=[s.id for s in READABLE])
def test_imported_twice_into_a_real_store(sample: Sample, tmp_path: Path) -> None:
    from cityguard.store import open_store

    path = _need(sample)
    distinct = sample.findings - sample.repeats
    with open_store(tmp_path / "twice.db") as st:
        for round_ in (1, 2):
            importer, stream = ingest.iter_file(path, sample.format)
            res = st.import_findings(stream, file=str(path), format=importer.name,
                                     tool=importer.tool, system="samples")  # fmt: skip
            assert res.read == sample.findings and res.duplicates == sample.repeats
            if round_ == 1:
                assert res.new == distinct
            else:
                assert (res.new, res.seen, res.reopened, res.fixed) == (0, distinct, 0, 0)
        assert sum(1 for _ in st.list_findings(system="samples")) == distinct


@pytest.mark.parametrize("sample", [s for s in SAMPLES if s.invalid],
                         ids=[s.id for s in SAMPLES if s.invalid])  # fmt: skip
def test_invalid_sample_is_one_data_error(sample: Sample) -> None:
    path = _need(sample)
    with pytest.raises(DataError) as err:
        ingest.read_file(path)
    assert str(err.value).startswith(str(path)) and "\n" not in err.value.one_line()


TRUNCATED = [s for s in SAMPLES if s.truncate]


@pytest.mark.parametrize("sample", TRUNCATED, ids=[s.id for s in TRUNCATED])
def test_truncated_copy_is_a_data_error(sample: Sample, tmp_path: Path) -> None:
    assert_truncated_fails(sample.format, _need(sample), tmp_path, sample.truncate or 0.5)


@pytest.mark.parametrize(("fmt", "root"), sorted(xml_roots().items()), ids=sorted(xml_roots()))
def test_hostile_xml_is_refused(fmt: str, root: str, tmp_path: Path) -> None:
    assert_refuses_entities(fmt, root, tmp_path)


def test_every_xml_importer_names_its_root() -> None:
    """An importer that reads XML must be in the hostile-XML test: its samples say the root."""
    for sample in READABLE:
        if sample.available and sample.path.read_bytes()[:200].lstrip(b"\xef\xbb\xbf").lstrip(
        ).startswith(b"<"):  # fmt: skip
            assert sample.format in xml_roots(), f"{sample.format}: add `xml_root:`"


@pytest.mark.parametrize("sample", READABLE, ids=[s.id for s in READABLE])
def test_a_scan_that_saw_nothing_says_so(sample: Sample) -> None:
    """A file saying the scan did not run or audited nothing records that gap (and only then)."""
    importer = ingest.get_importer(sample.format)
    with _need(sample).open("rb") as fh:
        findings = list(importer.parse(fh, str(sample.path)))
    kinds = [g.kind for g in ingest.gaps_of(importer)]
    assert kinds == ([sample.gap] if sample.gap else []), f"{sample.id}: gaps {kinds}"
    if sample.gap and sample.gap != "targets_unreachable":  # only some targets missed
        assert not findings
        gap = ingest.gaps_of(importer)[0]
        for lang in ("zh", "en"):
            text = t(gap.message_key, lang, **gap.to_dict())
            assert str(sample.path) in text and "{" not in text


SAME_RUN = [s for s in SAMPLES if s.same_findings_as]


@pytest.mark.parametrize("sample", SAME_RUN, ids=[s.id for s in SAME_RUN])
def test_formats_of_one_run_give_identical_findings(sample: Sample) -> None:
    """JSON and SARIF (…) of one run of a tool: the same identities, mapping and facts."""
    other = by_id(sample.same_findings_as)
    mine, theirs = _findings(sample), _findings(other)

    def facts(findings: list) -> dict[str, tuple]:
        return {f.fingerprint: (f.tool, f.rule_id, f.location, f.severity, f.cwes, f.cves,
                                f.tags, f.extra.get("line")) for f in findings}  # fmt: skip

    assert facts(mine) == facts(theirs)
    units = {f.fingerprint: unit_ids_for(f, 3) for f in theirs}
    assert {f.fingerprint: unit_ids_for(f, 3) for f in mine} == units
