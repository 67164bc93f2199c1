# DADA2 naive Bayes classification of the ASVs (used when the denoiser is not DADA2; with DADA2
# denoising the same classification runs inside the denoising R session).
log <- file(snakemake@log[[1]], open = "wt")
sink(log)
sink(log, type = "message")

suppressPackageStartupMessages(library(dada2))
source(file.path(snakemake@scriptdir, "dada2_classify.R"))
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
