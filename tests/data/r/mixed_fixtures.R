# Reference fits for simsample's MixedLM: lme4 (lmer) and lmerTest (Satterthwaite df).
# Run from the repository root:  Rscript tests/data/r/mixed_fixtures.R
# Writes tests/data/r/mixed_data.csv (the data sets) and tests/data/r/mixed_lme4.csv (the fits).
# The optimiser runs with tight tolerances (bobyqa, rhoend 1e-12) so that the fixtures hold
# the optimum to more digits than the tests compare.
suppressPackageStartupMessages({library(lme4); library(lmerTest)})
set.seed(20261126)
make <- function(id, sizes, tau, sigma, slope_sd = 0, beta = c(1, 0.5, -0.8)) {
  k <- length(sizes); g <- rep(seq_len(k), sizes); n <- length(g)
  x <- rnorm(n) + rep(rnorm(k, sd = 0.5), sizes)
  X <- rep(rnorm(k), sizes)                      # group-level covariate
  u <- rnorm(k, sd = tau); v <- rnorm(k, sd = slope_sd)
  y <- beta[1] + beta[2] * x + beta[3] * X + u[g] + v[g] * x + rnorm(n, sd = sigma)
  data.frame(dataset = id, g = g, x = x, X = X, y = y)
}
sets <- list(
  make(1, rep(10, 10), 0.7, 1.0),                               # balanced
  make(2, c(3, 8, 5, 12, 2, 7, 9, 4, 6, 10), 0.8, 1.0),         # unbalanced
  make(3, rep(5, 12), 0.05, 1.0),                               # near-singular
  make(4, c(4, 6, 9, 3, 7, 5, 8, 10, 6, 4, 5, 7), 1.0, 0.8),     # unbalanced
  make(5, rep(8, 15), 0.9, 1.0, slope_sd = 0.6),               # random slope, balanced
  make(6, c(6, 9, 12, 5, 8, 10, 7, 11, 6, 9, 8, 13), 0.8, 0.7, slope_sd = 0.5),
  make(7, c(5, 7, 6, 9, 8, 6, 10, 7), 0.6, 1.0, slope_sd = 0.0),  # slope SD 0: often singular
  make(8, rep(6, 20), 0.5, 1.0, slope_sd = 0.4)
)
dat <- do.call(rbind, sets)
# one balanced data set, intercept-only model fitted too (closed form case)
models <- list(
  list(id = 1, f = y ~ 1 + (1 | g)), list(id = 1, f = y ~ x + X + (1 | g)),
  list(id = 2, f = y ~ 1 + (1 | g)), list(id = 2, f = y ~ x + (1 | g)),
  list(id = 3, f = y ~ 1 + (1 | g)), list(id = 3, f = y ~ x + X + (1 | g)),
  list(id = 4, f = y ~ x + X + (1 | g)),
  list(id = 5, f = y ~ x + (1 + x | g)), list(id = 6, f = y ~ x + X + (1 + x | g)),
  list(id = 7, f = y ~ x + (1 + x | g)), list(id = 8, f = y ~ x + (1 + x | g))
)
ctrl <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhobeg = 0.2, rhoend = 1e-12, maxfun = 1e5),
                    check.conv.singular = "ignore", check.conv.grad = "ignore",
                    check.conv.hess = "ignore")
rows <- list()
for (mi in seq_along(models)) {
  m <- models[[mi]]
  d <- dat[dat$dataset == m$id, ]
  for (reml in c(TRUE, FALSE)) {
    fit <- suppressWarnings(lmerTest::lmer(m$f, data = d, REML = reml, control = ctrl))
    co <- summary(fit)$coefficients
    vc <- as.data.frame(VarCorr(fit))
    re <- vc[vc$grp == "g", ]
    var_int <- re$vcov[is.na(re$var2) & re$var1 == "(Intercept)"]
    var_slope <- if (any(re$var1 == "x" & is.na(re$var2))) re$vcov[re$var1 == "x" & is.na(re$var2)] else NA
    cov_is <- if (any(!is.na(re$var2))) re$vcov[!is.na(re$var2)] else NA
    th <- getME(fit, "theta")
    for (term in rownames(co)) {
      rows[[length(rows) + 1]] <- data.frame(
        model = mi, dataset = m$id, formula = paste(deparse(m$f), collapse = ""),
        reml = reml, term = term, estimate = co[term, "Estimate"], se = co[term, "Std. Error"],
        df = co[term, "df"], var_int = var_int, var_slope = var_slope, cov_int_slope = cov_is,
        sigma = sigma(fit), loglik = as.numeric(logLik(fit)), singular = isSingular(fit),
        theta1 = th[1], theta2 = if (length(th) > 1) th[2] else NA,
        theta3 = if (length(th) > 2) th[3] else NA)
    }
  }
}
out <- do.call(rbind, rows)
write.csv(dat, "tests/data/r/mixed_data.csv", row.names = FALSE)
write.csv(out, "tests/data/r/mixed_lme4.csv", row.names = FALSE)
cat("wrote", nrow(dat), "data rows and", nrow(out), "fit rows\n")
