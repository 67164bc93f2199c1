# DADA2 naive Bayes classification of the ASVs of an imported ASV table (input.asv_table). When
# the pipeline denoises, the denoising job classifies (dada2_denoise.R in its R session; the
# UNOISE3 job through dada2_classify_early.R).
log <- file(snakemake@log[[1]], open = "wt")
sink(log)
sink(log, type = "message")

suppressPackageStartupMessages(library(dada2))
source(file.path(Sys.getenv("GUTBRAIN_SCRIPTS", snakemake@scriptdir), "dada2_classify.R"))
set.seed(as.integer(snakemake@params$seed))

fasta <- Biostrings::readDNAStringSet(snakemake@input$fasta)
out <- classify_sequences(
  as.character(fasta), snakemake@input$reference, species_file(snakemake@input),
  snakemake@params$min_boot, snakemake@threads
)
out$sequence <- NULL
out <- cbind(data.frame(asv_id = names(fasta), stringsAsFactors = FALSE), out)
write.table(out, snakemake@output[[1]], sep = "\t", quote = FALSE, row.names = FALSE, na = "")
cat("classified", length(fasta), "ASVs\n")
