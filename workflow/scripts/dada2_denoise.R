# DADA2 denoising for the whole run: filterAndTrim, learnErrors, sample inference, pair merging,
# consensus chimera removal. Writes a sequence x sample count table and per-sample read counts.
# Samples left with no reads after filtering are kept in the outputs with zero counts.
log <- file(snakemake@log[[1]], open = "wt")
sink(log)
sink(log, type = "message")

# Elapsed time of each step, in the log: where a long run spends its time.
clock <- Sys.time()
timing <- function(step) {
  now <- Sys.time()
  cat(sprintf("time: %s %.1f s\n", step, as.numeric(now - clock, units = "secs")))
  clock <<- now
}

suppressPackageStartupMessages(library(dada2))
timing("loading DADA2")

p <- snakemake@params
samples <- unlist(p$samples)
paired <- as.logical(unlist(p$paired))
threads <- as.integer(snakemake@threads)
set.seed(as.integer(p$seed))

# With mixed single- and paired-end samples (allowed by config), every sample is processed from R1
# only, so that all ASVs cover the same region.
use_pairs <- all(paired)
r1 <- unlist(p$r1)
r2 <- unlist(p$r2)

scratch <- p$scratch
dir.create(scratch, recursive = TRUE, showWarnings = FALSE)
filt1 <- file.path(scratch, paste0(samples, "_R1.filt.fastq.gz"))
filt2 <- file.path(scratch, paste0(samples, "_R2.filt.fastq.gz"))

trunc_len <- as.integer(unlist(p$trunc_len))
max_ee <- as.numeric(unlist(p$max_ee))
cat("samples:", length(samples), " paired:", use_pairs, " threads:", threads, "\n")

if (use_pairs) {
  filt <- filterAndTrim(r1, filt1, r2, filt2,
    truncLen = trunc_len, maxEE = max_ee, truncQ = as.integer(p$trunc_q),
    minLen = as.integer(p$min_len), maxN = 0, rm.phix = TRUE, compress = TRUE,
    multithread = threads, verbose = TRUE
  )
} else {
  filt <- filterAndTrim(r1, filt1,
    truncLen = trunc_len[1], maxEE = max_ee[1], truncQ = as.integer(p$trunc_q),
    minLen = as.integer(p$min_len), maxN = 0, rm.phix = TRUE, compress = TRUE,
    multithread = threads, verbose = TRUE
  )
}
timing("filterAndTrim")
filtered <- setNames(as.integer(filt[, "reads.out"]), samples)
has_reads <- filtered > 0 & file.exists(filt1)
cat("samples with reads after filtering:", sum(has_reads), "of", length(samples), "\n")

denoised <- setNames(integer(length(samples)), samples)
merged <- setNames(integer(length(samples)), samples)
nonchim <- setNames(integer(length(samples)), samples)
seqtab <- NULL

# learnErrors' default budget: error rates are learned from the samples, in sheet order, until
# this many bases have been read.
NBASES <- 1e8

# The samples learnErrors would read, dereplicated once (sheet order, up to the first sample
# that takes the total over NBASES, as learnErrors counts): learnErrors, dada and mergePairs
# then use these objects instead of each reading and dereplicating the files again. Memory is
# what learnErrors holds anyway; files beyond the budget are read one sample at a time later.
derep_for_learning <- function(files) {
  drps <- list()
  total <- 0
  for (f in files) {
    drps[[f]] <- derepFastq(f)
    total <- total + sum(drps[[f]]$uniques * nchar(names(drps[[f]]$uniques)))
    if (total > NBASES) break
  }
  drps
}

# A sample's dereplicated reads: from the learning set when there, else read now.
derep_of <- function(file, cache) if (is.null(cache[[file]])) derepFastq(file) else cache[[file]]

if (any(has_reads)) {
  ok <- samples[has_reads]
  f1 <- setNames(filt1[has_reads], ok)
  f2 <- setNames(filt2[has_reads], ok)
  pool <- p$pool
  if (identical(pool, "pseudo")) pool <- "pseudo" else pool <- as.logical(pool)
  learn <- function(files) {
    if (!isFALSE(pool)) {
      return(list(err = learnErrors(files, multithread = threads, randomize = FALSE,
        nbases = NBASES), cache = list()))
    }
    cache <- derep_for_learning(files)
    err <- learnErrors(cache, multithread = threads, randomize = FALSE, nbases = NBASES)
    list(err = err, cache = cache)
  }
  l1 <- learn(f1)
  if (use_pairs) l2 <- learn(f2)
  timing("learnErrors")
  if (isFALSE(pool)) {
    # Samples are independent without pooling: one at a time, each file read once.
    dd1 <- list()
    dd2 <- list()
    mm <- list()
    for (s in ok) {
      d1 <- derep_of(f1[[s]], l1$cache)
      dd1[[s]] <- dada(d1, err = l1$err, multithread = threads)
      if (use_pairs) {
        d2 <- derep_of(f2[[s]], l2$cache)
        dd2[[s]] <- dada(d2, err = l2$err, multithread = threads)
        mm[[s]] <- mergePairs(dd1[[s]], d1, dd2[[s]], d2,
          minOverlap = as.integer(p$min_overlap), verbose = TRUE
        )
        l2$cache[[f2[[s]]]] <- NULL
      }
      l1$cache[[f1[[s]]]] <- NULL
    }
  } else {
    # Pooled inference needs every sample at once: from the files.
    dd1 <- dada(f1, err = l1$err, pool = pool, multithread = threads)
    if (length(ok) == 1) dd1 <- setNames(list(dd1), ok) else names(dd1) <- ok
    if (use_pairs) {
      dd2 <- dada(f2, err = l2$err, pool = pool, multithread = threads)
      if (length(ok) == 1) dd2 <- setNames(list(dd2), ok) else names(dd2) <- ok
      mm <- mergePairs(dd1, f1, dd2, f2, minOverlap = as.integer(p$min_overlap), verbose = TRUE)
      if (length(ok) == 1) mm <- setNames(list(mm), ok) else names(mm) <- ok
    }
  }
  timing(if (use_pairs) "dada, mergePairs" else "dada")
  if (use_pairs) {
    for (s in ok) {
      denoised[s] <- min(sum(getUniques(dd1[[s]])), sum(getUniques(dd2[[s]])))
      merged[s] <- sum(getUniques(mm[[s]]))
    }
    seqtab <- makeSequenceTable(mm)
  } else {
    for (s in ok) {
      denoised[s] <- sum(getUniques(dd1[[s]]))
      merged[s] <- denoised[s]
    }
    seqtab <- makeSequenceTable(dd1)
  }
  if (ncol(seqtab) > 0) {
    seqtab <- removeBimeraDenovo(seqtab, method = "consensus", multithread = threads, verbose = TRUE)
  }
  timing("removeBimeraDenovo")
  for (s in ok) nonchim[s] <- sum(seqtab[s, ])
}

# Sequence x sample table in sheet order, zero columns for samples without reads.
counts <- matrix(0L, nrow = if (is.null(seqtab)) 0 else ncol(seqtab), ncol = length(samples),
  dimnames = list(if (is.null(seqtab)) NULL else colnames(seqtab), samples))
if (!is.null(seqtab) && ncol(seqtab) > 0) {
  for (s in rownames(seqtab)) counts[, s] <- as.integer(seqtab[s, ])
}
if (nrow(counts) == 0) {
  # No sequence at all: write the header only, so the next step reports "no ASV left".
  writeLines(paste(c("sequence", samples), collapse = "\t"), snakemake@output$seqtab)
} else {
  out <- data.frame(sequence = rownames(counts), counts, check.names = FALSE,
    stringsAsFactors = FALSE)
  write.table(out, snakemake@output$seqtab, sep = "\t", quote = FALSE, row.names = FALSE)
}

# Classification in the same R session when the run uses DADA2 for taxonomy too: loading DADA2
# costs ~10 s, which a separate classification job would pay again.
if (!is.null(snakemake@output$taxonomy)) {
  source(file.path(snakemake@scriptdir, "dada2_classify.R"))
  set.seed(as.integer(p$seed))
  seqs <- if (is.null(rownames(counts))) character(0) else rownames(counts)
  tax <- classify_sequences(seqs, snakemake@input$reference,
    species_file(snakemake@input), p$min_boot, threads)
  timing("assignTaxonomy")
  write.table(tax, snakemake@output$taxonomy, sep = "\t", quote = FALSE, row.names = FALSE,
    na = "")
}

track <- data.frame(
  sample = samples, filtered = filtered, denoised = denoised, merged = merged, nonchimeric = nonchim
)
write.table(track, snakemake@output$tracking, sep = "\t", quote = FALSE, row.names = FALSE)
unlink(scratch, recursive = TRUE)
cat("done\n")
