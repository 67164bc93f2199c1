"""The early classifier's protocol with R (gutbrain.early_classifier), with a stand-in R script
that loads nothing: the table on "go", nothing on an error in the caller's block, R's failure
named. The real script (dada2_classify_early.R) runs in the workflow tests (UNOISE3 with DADA2
taxonomy)."""

from __future__ import annotations

import io
import shutil

import pytest
from gutbrain.early_classifier import SCRIPT, Dada2Settings, EarlyClassifier

STAND_IN = """\
args <- commandArgs(trailingOnly = TRUE)
cat("stand-in loaded\\n")
stdin <- file("stdin")
signal <- readLines(stdin, n = 1)
close(stdin)
if (length(signal) == 0 || signal != "go") {
  cat("stopped\\n")
  quit(save = "no", status = 0)
}
seqs <- readLines(args[1])
if (any(seqs == "FAIL")) stop("cannot read reference ", args[2])
header <- paste0("sequence\\tGenus\\tboot\\t", args[4])
writeLines(c(header, paste0(seqs, "\\tX\\t", args[6])), args[7])
"""
SETTINGS = Dada2Settings(reference="ref.fa.gz", species="", min_boot=50, seed=100, threads=1)


@pytest.fixture
def stand_in(tmp_path):
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript not installed (apt-get install r-base-core)")
    script = tmp_path / "stand_in.R"
    script.write_text(STAND_IN)
    return script


def test_sequences_given_after_start_are_classified(stand_in, tmp_path):
    out = tmp_path / "asv" / "taxonomy_by_sequence.tsv"
    log = io.StringIO()
    with EarlyClassifier(SETTINGS, str(out), log, script=stand_in) as classifier:
        classifier.classify(["ACGT", "GGCC"])
    assert out.read_text().splitlines() == [
        "sequence\tGenus\tboot\t50", "ACGT\tX\t100", "GGCC\tX\t100"
    ]
    assert "stand_in.R" in log.getvalue() and "stand-in loaded" in log.getvalue()
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # scratch removed


def test_an_error_before_classifying_stops_r_and_writes_nothing(stand_in, tmp_path):
    out = tmp_path / "taxonomy_by_sequence.tsv"
    log = io.StringIO()
    with pytest.raises(RuntimeError, match="vsearch failed"):
        with EarlyClassifier(SETTINGS, str(out), log, script=stand_in):
            raise RuntimeError("vsearch failed")
    assert not out.exists()
    assert "stopped" in log.getvalue()
    assert list(tmp_path.iterdir()) == [stand_in]


def test_a_failing_classification_names_the_reference_and_shows_r_s_message(stand_in, tmp_path):
    out = tmp_path / "taxonomy_by_sequence.tsv"
    with pytest.raises(RuntimeError, match=r"(?s)reference ref\.fa\.gz.*cannot read reference"):
        with EarlyClassifier(SETTINGS, str(out), io.StringIO(), script=stand_in) as classifier:
            classifier.classify(["FAIL"])
    assert not out.exists()


@pytest.mark.slow
def test_the_real_script_accepts_the_arguments_and_stops_on_request(tmp_path):
    # Loads DADA2 (about 6 s), then stops unclassified: the argument count and the protocol
    # of dada2_classify_early.R match the Python side.
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript not installed (apt-get install r-bioc-dada2)")
    log = io.StringIO()
    with EarlyClassifier(SETTINGS, str(tmp_path / "out.tsv"), log):
        pass
    assert SCRIPT.name in log.getvalue()
    assert "DADA2 loaded" in log.getvalue()
    assert "no sequences to classify: stopped" in log.getvalue()
    assert list(tmp_path.iterdir()) == []


def test_a_missing_rscript_is_named_with_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no Rscript here
    with pytest.raises(RuntimeError, match=r"Rscript not found.*taxonomy\.method: sintax"):
        with EarlyClassifier(SETTINGS, str(tmp_path / "out" / "t.tsv"), io.StringIO()):
            pass
    assert list((tmp_path / "out").iterdir()) == []
