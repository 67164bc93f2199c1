# Build a phyloseq object from the files beside this script (results/export/ of a gutbrain16s
# run): the ASV table as BIOM with taxonomy and sample metadata, and the ASV tree.
#   Rscript results/export/make_phyloseq.R            # writes results/export/phyloseq.rds
# In R:  ps <- readRDS("results/export/phyloseq.rds")
suppressPackageStartupMessages(library(phyloseq))

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
here <- if (length(script)) dirname(normalizePath(script)) else getwd()

ps <- import_biom(file.path(here, "asv_table.biom"),
                  treefilename = file.path(here, "asv_tree.nwk"),
                  parseFunction = parse_taxonomy_greengenes)
out <- file.path(here, "phyloseq.rds")
saveRDS(ps, out)
cat(sprintf("phyloseq object: %d ASVs, %d samples, %d ranks, tree with %d tips -> %s\n",
            ntaxa(ps), nsamples(ps), length(rank_names(ps)), length(phy_tree(ps)$tip.label), out))
