

def test_iupac_table_and_reverse_complement_match_biopython() -> None:
    """The written-out IUPAC table (Biopython no longer needed at parse time) is Biopython's."""
    import random

    from Bio.Data.IUPACData import ambiguous_dna_values
    from Bio.Seq import reverse_complement as bio_reverse_complement
    from gutbrain.primers import IUPAC_BASES, reverse_complement

    assert {k: set(v) for k, v in IUPAC_BASES.items()} == {
        k: set(v) for k, v in ambiguous_dna_values.items()}
    rng = random.Random(1)
    for _ in range(500):
        seq = "".join(rng.choice("ACGTUMRWSYKVHDBXNacgtmrwsykvhdbxn") for _ in range(25))
        assert reverse_complement(seq) == bio_reverse_complement(seq)


def test_parse_time_modules_need_only_pandas() -> None:
    """What common.smk imports while Snakemake parses the workflow pulls in no package beyond
    what a snakemake + pandas environment has (no Biopython, scikit-bio, SciPy, statsmodels)."""
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    code = ("import sys; sys.path.insert(0, 'workflow/scripts');"
            "import gutbrain.asv_import, gutbrain.compare, gutbrain.config_values,"
            " gutbrain.errors, gutbrain.primers, gutbrain.reference_checks, gutbrain.samples;"
            "heavy = {'Bio', 'skbio', 'scipy', 'statsmodels', 'biom', 'dnaio', 'h5py'};"
            "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))")
    done = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout
