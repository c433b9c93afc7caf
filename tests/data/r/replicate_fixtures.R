# Reference values for simsample's replicate designs (tests/analysis/test_replicate.py).
# Run from this folder: Rscript replicate_fixtures.R (R >= 4, survey >= 4.1).
# Writes ../apistrat.csv (R survey's data(api), exported unchanged), brr_data.csv (a synthetic
# design with two PSUs per stratum), replicate_reference.csv (svymean/svytotal of
# as.svrepdesign designs: estimate, SE, degf) and bootstrap_weights.csv (R's own bootstrap
# replicate weights, one row per PSU and replicate, PSUs in order of first appearance).
suppressPackageStartupMessages(library(survey))
data(api)
write.csv(apistrat, "../apistrat.csv", row.names = FALSE)  # the same file survey_parity.R exports

set.seed(20240514)
make_brr <- function(name, n_strata) {
  rows <- list()
  for (h in seq_len(n_strata)) for (j in 1:2) {
    m <- sample(3:6, 1)
    rows[[length(rows) + 1]] <- data.frame(
      dataset = name, stratum = h, psu = j, weight = round(runif(1, 5, 20), 2),
      y = round(10 + h + rnorm(1) + rnorm(m, sd = 2), 6), x = round(runif(m), 6))
  }
  do.call(rbind, rows)
}
brr <- rbind(make_brr("brr7", 7), make_brr("brr5", 5))
write.csv(brr, "brr_data.csv", row.names = FALSE)

rows <- list()
add <- function(name, kind, mse, rep, variables) {
  for (v in variables) for (stat in c("mean", "total")) {
    est <- if (stat == "mean") svymean(as.formula(paste0("~", v)), rep)
           else svytotal(as.formula(paste0("~", v)), rep)
    rows[[length(rows) + 1]] <<- data.frame(
      design = name, kind = kind, mse = mse, statistic = stat, variable = v,
      estimate = coef(est)[[1]], se = SE(est)[[1]], df = degf(rep))
  }
}
boot_rows <- list()
export_weights <- function(name, rep, psu_labels) {
  w <- rep$repweights$weights
  idx <- rep$repweights$index
  first <- !duplicated(idx)
  psu <- psu_labels[first][order(idx[first])]
  boot_rows[[length(boot_rows) + 1]] <<- data.frame(
    design = name, psu = rep(psu, ncol(w)), replicate = rep(seq_len(ncol(w)), each = nrow(w)),
    weight = as.vector(w))
}

designs <- list(
  clus1_fpc = list(svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc),
                   c("JK1", "bootstrap"), apiclus1$dnum),
  clus1 = list(svydesign(id = ~dnum, weights = ~pw, data = apiclus1), c("JK1", "bootstrap"),
               apiclus1$dnum),
  strat_fpc = list(svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc),
                   c("JKn", "bootstrap"), seq_len(nrow(apistrat))),
  strat = list(svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat),
               c("JKn"), seq_len(nrow(apistrat)))
)
for (name in names(designs)) {
  d <- designs[[name]]
  for (kind in d[[2]]) for (mse in c(FALSE, TRUE)) {
    set.seed(7)
    rep <- as.svrepdesign(d[[1]], type = kind, mse = mse, replicates = 50)
    add(name, kind, mse, rep, c("api00", "enroll"))
    if (kind == "bootstrap" && !mse) export_weights(name, rep, d[[3]])
  }
}
# two-stage: JK1 keeps only the first-stage fpc (R warns that it drops the second)
data(mu284)
mu <- svydesign(id = ~id1 + id2, fpc = ~n1 + n2, data = mu284)
for (mse in c(FALSE, TRUE)) add("mu284", "JK1", mse,
                                suppressWarnings(as.svrepdesign(mu, type = "JK1", mse = mse)), "y1")
for (name in unique(brr$dataset)) {
  d <- svydesign(id = ~psu, strata = ~stratum, weights = ~weight, data = brr[brr$dataset == name, ],
                 nest = TRUE)
  for (rho in c(0, 0.5)) for (mse in c(FALSE, TRUE)) {
    kind <- if (rho == 0) "BRR" else "Fay"
    add(name, kind, mse, as.svrepdesign(d, type = kind, fay.rho = rho, mse = mse), c("y", "x"))
  }
}
ref <- do.call(rbind, rows)
for (column in c("estimate", "se")) ref[[column]] <- format(ref[[column]], digits = 17)
write.csv(ref, "replicate_reference.csv", row.names = FALSE)
write.csv(do.call(rbind, boot_rows), "bootstrap_weights.csv", row.names = FALSE)
cat("wrote", nrow(ref), "reference rows\n")
