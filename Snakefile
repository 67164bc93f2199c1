# gutbrain16s: 16S rRNA amplicon reads -> ASVs -> taxonomy -> predicted SCFA and gut-brain
# metabolic potential -> per-sample interpretation reports. This file only wires the workflow:
# helpers live in workflow/rules/common.smk, rules in workflow/rules/<step>.smk.
from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/references.smk"


if ASV_TABLE_ENTRY:

    include: "workflow/rules/import.smk"

else:

    include: "workflow/rules/qc.smk"
    include: "workflow/rules/denoise.smk"


include: "workflow/rules/taxonomy.smk"
include: "workflow/rules/function.smk"
include: "workflow/rules/phylogeny.smk"
include: "workflow/rules/diversity.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        final_outputs(),
