# DADA2 naive Bayes classification (dada2_classify.R) in a process started before its sequences
# exist: R and DADA2 load (about 6 s) while the caller computes them (gutbrain.early_classifier,
# used by the UNOISE3 job). When the caller has written the sequences, one per line, it sends
# "go" on standard input; anything else, or the input closing, ends the script unclassified.
# Usage: Rscript dada2_classify_early.R SEQUENCES REFERENCE SPECIES MIN_BOOT THREADS SEED OUT
# (SPECIES "" when the reference has no species file).
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 7) stop("usage: dada2_classify_early.R SEQUENCES REFERENCE SPECIES MIN_BOOT THREADS SEED OUT")

suppressPackageStartupMessages(library(dada2))
script <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
source(file.path(dirname(script), "dada2_classify.R"))
cat("DADA2 loaded, waiting for the sequences\n")

stdin <- file("stdin")
signal <- readLines(stdin, n = 1)
close(stdin)
if (length(signal) == 0 || signal != "go") {
  cat("no sequences to classify: stopped\n")
  quit(save = "no", status = 0)
}
seqs <- readLines(args[1])
set.seed(as.integer(args[6]))
tax <- classify_sequences(seqs, args[2], args[3], args[4], args[5])
write.table(tax, args[7], sep = "\t", quote = FALSE, row.names = FALSE, na = "")
cat("classified", length(seqs), "sequences\n")
