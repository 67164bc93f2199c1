# Copy one file of the DADA2 R package's extdata folder (e.g. the demo reference) into the cache.
log <- file(snakemake@log[[1]], open = "wt")
sink(log)
sink(log, type = "message")

name <- snakemake@wildcards[["file"]]
source_file <- system.file("extdata", name, package = "dada2")
if (!nzchar(source_file)) {
  stop("the DADA2 package has no extdata file '", name, "' (references.taxonomy.<name>.file); ",
       "files: ", paste(list.files(system.file("extdata", package = "dada2")), collapse = ", "))
}
target <- snakemake@output[[1]]
partial <- paste0(target, ".partial")
stopifnot(file.copy(source_file, partial, overwrite = TRUE))
stopifnot(file.rename(partial, target))
cat("copied", source_file, "to", target, "\n")
