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

# The samples learnErrors reads (sheet order, up to the first sample that takes the total over
# NBASES, as learnErrors counts), dereplicated once: learnErrors, dada and mergePairs use these
# objects instead of each reading the files again. Memory is what learnErrors holds anyway.
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

# A file's dereplicated reads: from the learning set when there, else read now.
derep_of <- function(file, cache) if (is.null(cache[[file]])) derepFastq(file) else cache[[file]]

# Results of forked processes (parallel::mccollect, parallel::mclapply of try()), stopping with
# the matching `what` when one failed. DADA2's own threads leave cores idle much of the time on
# amplicon-sized samples: R2's error rates are learned in a forked process while this one learns
# R1's, and samples are inferred several at a time. Each computation is the one it would be in
# this process; forked processes inherit the learning set and the functions this one has used.
checked_results <- function(results, what) {
  failed <- vapply(results, function(r) inherits(r, "try-error") || is.null(r), logical(1))
  if (any(failed)) {
    first <- results[failed][[1]]
    why <- if (is.null(first)) {
      "the process ended without a result (killed, e.g. out of memory?)"
    } else if (!is.null(attr(first, "condition"))) {
      conditionMessage(attr(first, "condition"))
    } else {
      as.character(first)
    }
    stop(what[failed][1], ": ", why)
  }
  results
}

# Sequencing run of each sample (the sheet's optional `run` column; one run without it). Error
# rates differ between runs, so DADA2's authors advise learning them per run: each run gets its
# own learnErrors and inference (and pooling, when set), and the runs' tables are merged before
# chimera removal, as in DADA2's big-data workflow.
runs <- setNames(as.character(unlist(p$runs)), samples)

# Learn error rates on one run's samples and infer them; returns the per-sample tables (derep
# or merger objects) and the denoised read counts.
denoise_run <- function(ok) {
  f1 <- setNames(filt1[match(ok, samples)], ok)
  f2 <- setNames(filt2[match(ok, samples)], ok)
  pool <- p$pool
  if (identical(pool, "pseudo")) pool <- "pseudo" else pool <- as.logical(pool)
  learn <- function(files, n) {
    learnErrors(files, multithread = n, randomize = FALSE, nbases = NBASES)
  }
  cache1 <- if (isFALSE(pool)) derep_for_learning(f1) else list()
  learn1 <- if (length(cache1)) cache1 else f1
  if (use_pairs && threads >= 2) {
    # Both learners get all the job's threads: while both run they share the cores, and the
    # one left (usually R1's, the longer reads) then has every core. Alone on 2 cores, with the
    # 14 x 4,000-pair set: 13.7-16.3 s against 17.2-20.3 s with the threads split between them
    # (three pairs of runs); inside a whole run the gain is within run-to-run noise. The error
    # rates do not depend on the thread count (identical tables).
    job2 <- parallel::mcparallel(try(learn(f2, threads), silent = TRUE))
    err1 <- learn(learn1, threads)
    err2 <- checked_results(parallel::mccollect(job2), "learnErrors on the R2 reads")[[1]]
  } else {
    err1 <- learn(learn1, threads)
    if (use_pairs) err2 <- learn(f2, threads)
  }
  timing("learnErrors")
  counts <- setNames(integer(length(ok)), ok)
  if (isFALSE(pool)) {
    # Samples are independent without pooling: several at a time, one process each.
    infer <- function(s) {
      d1 <- derep_of(f1[[s]], cache1)
      dd1 <- dada(d1, err = err1, multithread = FALSE)
      if (!use_pairs) {
        return(list(denoised = sum(getUniques(dd1)), table = dd1))
      }
      d2 <- derepFastq(f2[[s]])
      dd2 <- dada(d2, err = err2, multithread = FALSE)
      mm <- mergePairs(dd1, d1, dd2, d2, minOverlap = as.integer(p$min_overlap), verbose = TRUE)
      list(denoised = min(sum(getUniques(dd1)), sum(getUniques(dd2))), table = mm)
    }
    per_sample <- checked_results(
      parallel::mclapply(ok, function(s) try(infer(s), silent = TRUE), mc.cores = threads),
      paste0("DADA2 inference of sample '", ok, "'")
    )
    names(per_sample) <- ok
    rm(cache1)
    for (s in ok) counts[s] <- per_sample[[s]]$denoised
    tables <- lapply(per_sample, `[[`, "table")
  } else {
    # Pooled inference needs every sample of the run at once, in this process.
    dd1 <- dada(f1, err = err1, pool = pool, multithread = threads)
    if (length(ok) == 1) dd1 <- setNames(list(dd1), ok) else names(dd1) <- ok
    tables <- dd1
    for (s in ok) counts[s] <- sum(getUniques(dd1[[s]]))
    if (use_pairs) {
      dd2 <- dada(f2, err = err2, pool = pool, multithread = threads)
      if (length(ok) == 1) dd2 <- setNames(list(dd2), ok) else names(dd2) <- ok
      mm <- mergePairs(dd1, f1, dd2, f2, minOverlap = as.integer(p$min_overlap), verbose = TRUE)
      if (length(ok) == 1) mm <- setNames(list(mm), ok) else names(mm) <- ok
      tables <- mm
      for (s in ok) counts[s] <- min(sum(getUniques(dd1[[s]])), sum(getUniques(dd2[[s]])))
    }
  }
  timing(if (use_pairs) "dada, mergePairs" else "dada")
  list(tables = tables, denoised = counts)
}

if (any(has_reads)) {
  tables <- list()
  for (run in unique(runs[has_reads])) {
    ok <- samples[has_reads & runs == run]
    cat(sprintf("run %s: error rates learned and samples inferred on %d sample(s)\n", run,
      length(ok)))
    result <- denoise_run(ok)
    for (s in ok) denoised[s] <- result$denoised[[s]]
    tables <- c(tables, result$tables)
  }
  tables <- tables[samples[has_reads]]
  for (s in names(tables)) merged[s] <- sum(getUniques(tables[[s]]))
  seqtab <- makeSequenceTable(tables)
  if (ncol(seqtab) > 0) {
    seqtab <- removeBimeraDenovo(seqtab, method = "consensus", multithread = threads, verbose = TRUE)
  }
  timing("removeBimeraDenovo")
  for (s in names(tables)) nonchim[s] <- sum(seqtab[s, ])
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
# costs ~6 s, which a separate classification job would pay again.
if (!is.null(snakemake@output$taxonomy)) {
  source(file.path(Sys.getenv("GUTBRAIN_SCRIPTS", snakemake@scriptdir), "dada2_classify.R"))
  set.seed(as.integer(p$taxonomy_seed))
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
