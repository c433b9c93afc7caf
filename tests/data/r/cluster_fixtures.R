# Reference values for simsample's ClusterOLS (tests/analysis/test_cluster_ols.py).
# Run from this folder: Rscript cluster_fixtures.R (R >= 4, clubSandwich >= 0.5).
# Writes cluster_data.csv (the data sets) and cluster_reference.csv (clubSandwich's
# coef_test(fit, vcov = type, cluster = g, test = "Satterthwaite") for every type).
suppressPackageStartupMessages(library(clubSandwich))
set.seed(20240513)

make_data <- function(name, sizes, slope_within, cluster_x = FALSE) {
  G <- length(sizes)
  g <- rep(seq_len(G), sizes)
  u <- rnorm(G, sd = 0.7)[g]
  x <- if (cluster_x) rnorm(G)[g] else rnorm(length(g)) + 0.5 * rnorm(G)[g]
  z <- rbinom(length(g), 1, 0.4)
  y <- 1 + slope_within * x - 0.5 * z + u + rnorm(length(g)) * (1 + 0.5 * (g %% 3))
  # rounded so that the CSV holds exactly the values R fits
  data.frame(dataset = name, g = g, y = round(y, 8), x = round(x, 8), z = z)
}

datasets <- list(
  make_data("unequal8", c(2, 3, 5, 8, 4, 12, 6, 3), 0.3),
  make_data("unequal12", c(1, 4, 7, 2, 9, 3, 5, 15, 6, 2, 8, 4), -0.2),
  make_data("clusterx10", c(5, 5, 3, 7, 10, 4, 6, 2, 8, 5), 0.8, cluster_x = TRUE),
  make_data("balanced6", rep(10, 6), 0.0)
)
data <- do.call(rbind, datasets)
write.csv(data, "cluster_data.csv", row.names = FALSE)

formulas <- c("y ~ 1", "y ~ x", "y ~ x + z")
types <- c("CR0", "CR1", "CR1S", "CR2", "CR3")
rows <- list()
for (d in datasets) {
  for (f in formulas) {
    fit <- lm(as.formula(f), data = d)
    for (type in types) {
      ct <- coef_test(fit, vcov = type, cluster = d$g, test = "Satterthwaite")
      rows[[length(rows) + 1]] <- data.frame(
        dataset = d$dataset[1], formula = f, vcov = type, term = ct$Coef,
        beta = ct$beta, se = ct$SE, df_satterthwaite = ct$df_Satt, p_satterthwaite = ct$p_Satt)
    }
  }
}
ref <- do.call(rbind, rows)
for (column in c("beta", "se", "df_satterthwaite", "p_satterthwaite")) {
  ref[[column]] <- format(ref[[column]], digits = 17)
}
write.csv(ref, "cluster_reference.csv", row.names = FALSE)
cat("wrote", nrow(data), "data rows and", nrow(ref), "reference rows\n")
