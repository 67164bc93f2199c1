# Shared DADA2 classification code, sourced by dada2_assign_taxonomy.R, dada2_denoise.R and
# dada2_classify_early.R:
# naive Bayes assignTaxonomy with bootstrap confidences, plus exact species (addSpecies) when the
# reference has a species file. Returns a data frame: one row per sequence, ranks, boot_<rank>.
classify_sequences <- function(seqs, reference, species, min_boot, threads) {
  ranks <- c("Kingdom", "Phylum", "Class", "Order", "Family", "Genus")
  out <- data.frame(sequence = seqs, stringsAsFactors = FALSE)
  if (length(seqs) == 0) {
    return(out)
  }
  tax <- assignTaxonomy(seqs, reference,
    minBoot = as.integer(min_boot), outputBootstraps = TRUE,
    taxLevels = ranks, multithread = as.integer(threads), verbose = TRUE
  )
  cat("\n") # assignTaxonomy's last message has no line end
  taxa <- tax$tax
  if (length(species) == 1 && nchar(species) > 0) {
    taxa <- addSpecies(taxa, species, verbose = TRUE)
  }
  for (r in colnames(taxa)) out[[r]] <- unname(taxa[, r])
  for (r in colnames(tax$boot)) out[[paste0("boot_", r)]] <- unname(tax$boot[, r])
  out
}

species_file <- function(inputs) {
  species <- inputs$species
  if (is.null(species) || length(species) == 0) "" else species
}
