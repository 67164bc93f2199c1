# gutbrain16s: the users' layout keeps a Snakefile at the top level; the workflow itself is
# workflow/Snakefile (the Snakemake workflow catalog's layout). Run `snakemake` here or
# `snakemake -s workflow/Snakefile`: both build the same targets.


include: "workflow/Snakefile"


# An included file's default target does not carry over to the including one: name it here.
rule default:
    default_target: True
    input:
        rules.all.input,
