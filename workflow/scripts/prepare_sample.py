"""Check one sample's reads, remove the primers and, with UNOISE3, merge/filter/dereplicate
them, in one job (gutbrain.prepare)."""

from gutbrain.steps import configure_logging

log = configure_logging(snakemake.log[0])

from gutbrain.prepare import UnoiseOutputs, prepare_sample

o = snakemake.output
p = snakemake.params
unoise = None
if "uniques" in o.keys():
    unoise = UnoiseOutputs(
        uniques=o.uniques,
        counts=o.counts,
        merge_pairs=p.merge_pairs,
        min_overlap=p.min_overlap,
        max_ee=p.max_ee,
        min_len=p.min_len,
        trunc_q=p.trunc_q,
    )
prepare_sample(
    snakemake.wildcards.sample,
    list(snakemake.input.reads),
    o.check,
    None if "r1" not in o.keys() else [o.r1, o.r2] if "r2" in o.keys() else [o.r1],
    o.json,
    o.report,
    primers=p.primers,
    min_len=p.min_len,
    unoise=unoise,
    threads=snakemake.threads,
    log=log,
)
