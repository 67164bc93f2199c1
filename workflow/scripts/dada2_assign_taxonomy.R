# DADA2 naive Bayes classification (assignTaxonomy, bootstrap confidences) of the ASVs, plus
# exact species matches (addSpecies) when the reference has a species file.
log <- file(snakemake@log[[1]], open = "wt")
sink(log)
sink(log, type = "message")

suppressPackageStartupMessages(library(dada2))
set.seed(as.integer(snakemake@params$seed))

fasta <- Biostrings::readDNAStringSet(snakemake@input$fasta)
seqs <- as.character(fasta)
ids <- names(fasta)
ranks <- c("Kingdom", "Phylum", "Class", "Order", "Family", "Genus")
out <- data.frame(asv_id = ids, stringsAsFactors = FALSE)
if (length(seqs) > 0) {
  tax <- assignTaxonomy(seqs, snakemake@input$reference,
    minBoot = as.integer(snakemake@params$min_boot), outputBootstraps = TRUE,
    taxLevels = ranks, multithread = as.integer(snakemake@threads), verbose = TRUE
  )
  taxa <- tax$tax
  species <- snakemake@input$species
  if (length(species) == 1 && nchar(species) > 0) {
    taxa <- addSpecies(taxa, species, verbose = TRUE)
  }
  for (r in colnames(taxa)) out[[r]] <- unname(taxa[, r])
  for (r in colnames(tax$boot)) out[[paste0("boot_", r)]] <- unname(tax$boot[, r])
}
write.table(out, snakemake@output[[1]], sep = "\t", quote = FALSE, row.names = FALSE, na = "")
cat("classified", length(seqs), "ASVs\n")
