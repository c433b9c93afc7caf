# Reference values for tests/designs/test_pps_methods_reference.py and
# tests/analysis/test_pps_survey.py, from R's sampling and survey packages.
#
# Run from the repository root:  Rscript tests/data/r/pps_fixtures.R
# Writes tests/data/r/pps_joint.csv (joint inclusion probabilities of a small frame by
# UPsampfordpi2, UPmaxentropypi2, UPtillepi2, UPsystematicpi2, and varHT of a sample),
# tests/data/r/pps_election.csv (survey's election_pps sample and its joint
# probabilities election_jointprob) and tests/data/r/pps_survey.csv (svytotal and
# svymean of Bush and Kerry under each pps= and variance= option).
suppressMessages(library(sampling))
suppressMessages(library(survey))
out_dir <- file.path("tests", "data", "r")

pik <- c(0.15, 0.25, 0.3, 0.4, 0.45, 0.55, 0.4, 0.5)  # sums to 3
joint <- list(sampford = UPsampfordpi2(pik), conditional_poisson = UPmaxentropypi2(pik),
              tille = UPtillepi2(pik), systematic_fixed = UPsystematicpi2(pik))
rows <- list()
for (name in names(joint)) {
  m <- joint[[name]]
  rows[[name]] <- data.frame(what = name, i = rep(seq_along(pik), length(pik)) - 1,
                             j = rep(seq_along(pik), each = length(pik)) - 1,
                             value = as.vector(m))
}
# varHT of the sample {1, 4, 6} (0-based 0, 3, 5) with y, under the sampford pi_kl
y <- c(3.0, 7.5, 1.2, 9.0, 4.4, 6.1, 2.2, 5.0)
s <- c(1, 4, 6)
for (method in 1:2) {
  v <- varHT(y[s], joint$sampford[s, s], method = method)
  rows[[paste0("varHT", method)]] <- data.frame(what = paste0("varHT", method), i = -1,
                                               j = -1, value = v)
}
rows$pik <- data.frame(what = "pik", i = seq_along(pik) - 1, j = -1, value = pik)
rows$y <- data.frame(what = "y", i = seq_along(y) - 1, j = -1, value = y)
write.csv(do.call(rbind, rows), file.path(out_dir, "pps_joint.csv"), row.names = FALSE)

data(election)
frame <- election_pps[, c("County", "Bush", "Kerry", "p")]
frame$County <- as.character(frame$County)
pij <- election_jointprob
write.csv(cbind(frame, pij), file.path(out_dir, "pps_election.csv"), row.names = FALSE)

n <- nrow(frame)
psum <- sum(election_pps$p^2) / n  # stands in for the population's sum pi^2 / n here
designs <- list(
  ppsmat_HT = svydesign(id = ~1, fpc = ~p, data = frame, pps = ppsmat(pij)),
  ppsmat_YG = svydesign(id = ~1, fpc = ~p, data = frame, pps = ppsmat(pij), variance = "YG"),
  brewer = svydesign(id = ~1, fpc = ~p, data = frame, pps = "brewer"),
  overton_HT = svydesign(id = ~1, fpc = ~p, data = frame, pps = "overton"),
  overton_YG = svydesign(id = ~1, fpc = ~p, data = frame, pps = "overton", variance = "YG"),
  HR_psum = svydesign(id = ~1, fpc = ~p, data = frame, pps = HR(psum)),
  HR_psum_YG = svydesign(id = ~1, fpc = ~p, data = frame, pps = HR(psum), variance = "YG"),
  HR_sample = svydesign(id = ~1, fpc = ~p, data = frame, pps = HR()),
  wr = svydesign(id = ~1, probs = ~p, data = frame))
res <- list()
for (name in names(designs)) {
  for (stat in c("total", "mean")) {
    f <- if (stat == "total") svytotal else svymean
    est <- f(~Bush + Kerry, designs[[name]])
    res[[paste(name, stat)]] <- data.frame(design = name, statistic = stat,
                                           variable = c("Bush", "Kerry"),
                                           estimate = as.vector(coef(est)),
                                           se = as.vector(SE(est)),
                                           df = degf(designs[[name]]))
  }
}
write.csv(do.call(rbind, res), file.path(out_dir, "pps_survey.csv"), row.names = FALSE)
