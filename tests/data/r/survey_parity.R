# Reference values for tests/analysis/test_survey_parity.py, from R's survey package.
#
# Run from the repository root:  Rscript tests/data/r/survey_parity.R
# Writes tests/data/apisrs.csv, apistrat.csv and apiclus2.csv (R's data(api), if absent;
# apiclus1.csv is already there) and tests/data/r/survey_parity.csv, one row per
# published number: call, design, variable, level, domain, estimate, se, df, deff,
# 95% normal interval (R's confint default; for svyttest its printed 95% t interval),
# 90% t interval with df (confint(df=); svyglm and svyttest intervals are t),
# t statistic and p-value (t-tests and regression).
# Every estimate is computed from the CSV files, exactly as the Python tests read them.
suppressMessages(library(survey))
options(survey.lonely.psu = "fail")
data_dir <- file.path("tests", "data")
data(api)
for (name in c("apisrs", "apistrat", "apiclus2")) {
  path <- file.path(data_dir, paste0(name, ".csv"))
  if (!file.exists(path)) write.csv(get(name), path, row.names = FALSE, na = "NA")
}
read_api <- function(name) read.csv(file.path(data_dir, paste0(name, ".csv")),
                                    stringsAsFactors = TRUE)
srs <- read_api("apisrs"); strat <- read_api("apistrat")
clus1 <- read_api("apiclus1"); clus2 <- read_api("apiclus2")

designs <- list(
  srs_fpc = svydesign(id = ~1, fpc = ~fpc, data = srs),
  srs_nofpc = svydesign(id = ~1, weights = ~pw, data = srs),
  strat_fpc = svydesign(id = ~1, strata = ~stype, fpc = ~fpc, data = strat),
  strat_nofpc = svydesign(id = ~1, strata = ~stype, weights = ~pw, data = strat),
  clus1_fpc = svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = clus1),
  clus1_nofpc = svydesign(id = ~dnum, weights = ~pw, data = clus1),
  clus2_fpc = svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = clus2),
  clus2_nofpc = svydesign(id = ~dnum + snum, weights = ~pw, data = clus2)
)
# the same designs on the rows of one domain only ("the domain as its own sample")
own_design <- function(dname, rows) {
  d <- designs[[dname]]
  sub <- d$variables[rows, ]
  switch(dname,
    clus1_fpc = svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = sub),
    clus1_nofpc = svydesign(id = ~dnum, weights = ~pw, data = sub),
    srs_fpc = svydesign(id = ~1, fpc = ~fpc, data = sub),
    srs_nofpc = svydesign(id = ~1, weights = ~pw, data = sub))
}

rows <- list()
emit <- function(call, design, variable, level = NA, domain = NA, estimate, se, df = NA,
                 deff = NA, ci95 = c(NA, NA), ci90t = c(NA, NA), t = NA, p = NA) {
  rows[[length(rows) + 1]] <<- data.frame(
    call = call, design = design, variable = variable, level = level, domain = domain,
    estimate = estimate, se = se, df = df, deff = deff,
    lower_normal95 = ci95[1], upper_normal95 = ci95[2], lower_t90 = ci90t[1],
    upper_t90 = ci90t[2], t = t, p = p, stringsAsFactors = FALSE)
}
# split R's coefficient names ("stypeE") into variable and factor level
split_name <- function(name, vars, data) {
  if (name %in% vars) return(c(name, NA))
  for (v in vars) if (is.factor(data[[v]]) && startsWith(name, v))
    return(c(v, substring(name, nchar(v) + 1)))
  stop("cannot split ", name)
}
# one row per coefficient of a svystat (svymean/svytotal) or svyratio
emit_stat <- function(call, dname, stat, vars, df, domain = NA, deff = TRUE) {
  d <- designs[[dname]]
  est <- coef(stat); se <- SE(stat)
  dv <- if (deff) deff(stat) else rep(NA, length(est))
  ci95 <- confint(stat); ci90 <- confint(stat, level = 0.9, df = df)
  for (i in seq_along(est)) {
    nl <- if (is.null(vars)) c(names(est)[i], NA) else split_name(names(est)[i], vars, d$variables)
    emit(call, dname, nl[1], nl[2], domain, est[[i]], se[[i]], df, dv[[i]], ci95[i, ],
         ci90[i, ])
  }
}

for (dname in names(designs)) {
  d <- designs[[dname]]
  df_all <- degf(d)
  # 1-4: means and totals, factor levels, several variables with joint NA handling
  emit_stat("mean", dname, svymean(~api00, d, deff = TRUE), "api00", df_all)
  emit_stat("mean", dname, svymean(~enroll, d, na.rm = TRUE, deff = TRUE), "enroll",
            degf(subset(d, !is.na(enroll))))
  emit_stat("total", dname, svytotal(~enroll, d, na.rm = TRUE, deff = TRUE), "enroll",
            degf(subset(d, !is.na(enroll))))
  emit_stat("mean_factor", dname, svymean(~stype, d, deff = TRUE), "stype", df_all)
  emit_stat("total_factor", dname, svytotal(~stype, d, deff = TRUE), "stype", df_all)
  emit_stat("mean_factor", dname, svymean(~sch.wide, d, deff = TRUE), "sch.wide", df_all)
  complete <- !is.na(d$variables$enroll)
  emit_stat("mean_several", dname,
            svymean(~api00 + enroll + meals + stype, d, na.rm = TRUE, deff = TRUE),
            c("api00", "enroll", "meals", "stype"), degf(subset(d, complete)))
  emit_stat("total_several", dname,
            svytotal(~api00 + enroll + meals, d, na.rm = TRUE, deff = TRUE),
            c("api00", "enroll", "meals"), degf(subset(d, complete)))
  # ratio, overall and by domain
  emit_stat("ratio", dname, svyratio(~api.stu, ~enroll, d, na.rm = TRUE, deff = TRUE),
            NULL, degf(subset(d, complete)))
  emit_stat("ratio", dname, svyratio(~api00, ~api99, d, deff = TRUE), NULL, df_all)
  # domains: svyby (one row per level) and subset (the full design kept)
  for (spec in list(list(call = "mean_by", fun = svymean, var = ~api00, name = "api00"),
                    list(call = "total_by", fun = svytotal, var = ~enroll, name = "enroll"))) {
    by <- svyby(spec$var, ~stype, d, spec$fun, na.rm = TRUE, deff = TRUE)
    for (i in seq_len(nrow(by))) {
      lev <- as.character(by$stype[i])
      sub <- subset(d, stype == lev & !is.na(d$variables[[spec$name]]))
      dfi <- degf(sub)
      one <- spec$fun(spec$var, sub, na.rm = TRUE)
      emit(spec$call, dname, spec$name, NA, paste0("stype=", lev), coef(by)[[i]],
           SE(by)[[i]], dfi, deff(by)[[i]], confint(by)[i, ], confint(one, level = 0.9, df = dfi))
    }
  }
  by2 <- svyby(~api00, ~stype + sch.wide, d, svymean)
  for (i in seq_len(nrow(by2))) {
    lev <- c(as.character(by2$stype[i]), as.character(by2$sch.wide[i]))
    sub <- subset(d, stype == lev[1] & sch.wide == lev[2])
    emit("mean_by2", dname, "api00", NA, paste0("stype=", lev[1], ",sch.wide=", lev[2]),
         coef(by2)[[i]], SE(by2)[[i]], degf(sub), NA, confint(by2)[i, ],
         confint(svymean(~api00, sub), level = 0.9, df = degf(sub)))
  }
  byr <- svyby(~api.stu, ~stype, d, svyratio, denominator = ~enroll, na.rm = TRUE)
  for (i in seq_len(nrow(byr))) {
    lev <- as.character(byr$stype[i])
    sub <- subset(d, stype == lev & !is.na(enroll))
    emit("ratio_by", dname, "api.stu/enroll", NA, paste0("stype=", lev), coef(byr)[[i]],
         SE(byr)[[i]], degf(sub), NA, confint(byr)[i, ],
         confint(svyratio(~api.stu, ~enroll, sub), level = 0.9, df = degf(sub)))
  }
  sub <- subset(d, meals > 50)
  emit_stat("mean_subset", dname, svymean(~api00, sub, deff = TRUE), "api00", degf(sub),
            domain = "meals > 50")
  emit_stat("total_subset", dname, svytotal(~stype, sub, deff = TRUE), "stype", degf(sub),
            domain = "meals > 50")
  emit_stat("ratio_subset", dname, svyratio(~api.stu, ~enroll, sub, na.rm = TRUE), NULL,
            degf(subset(sub, !is.na(enroll))), domain = "meals > 50", deff = FALSE)
  # the domain as its own sample: a different (wrong) SE
  if (!is.null(own_design(dname, d$variables$stype == "H"))) {
    own <- own_design(dname, d$variables$stype == "H")
    emit_stat("mean_own_sample", dname, svymean(~api00, own), "api00", degf(own),
              domain = "stype=H", deff = FALSE)
  }
  # 5: design-based t-tests (level 2 minus level 1)
  for (f in list(api00 ~ sch.wide, enroll ~ comp.imp)) {
    tt <- svyttest(f, d)
    emit("ttest", dname, all.vars(f)[1], all.vars(f)[2], NA, tt$estimate[[1]],
         tt$estimate[[1]] / tt$statistic[[1]], tt$parameter[[1]], NA, tt$conf.int[1, ],
         as.vector(confint(tt, level = 0.9)), tt$statistic[[1]], tt$p.value[[1]])
  }
  # 6: gaussian regression
  for (spec in list(list(call = "glm1", f = api00 ~ ell + meals + mobility),
                    list(call = "glm2", f = api00 ~ stype + enroll))) {
    m <- svyglm(spec$f, design = d)
    s <- summary(m)$coefficients
    ci <- confint(m, level = 0.9)
    for (i in seq_len(nrow(s))) {
      emit(spec$call, dname, rownames(s)[i], NA, NA, s[i, 1], s[i, 2], m$df.residual, NA,
           c(NA, NA), ci[i, ], s[i, 3], s[i, 4])
    }
    disp <- summary(m)$dispersion
    emit(spec$call, dname, "(dispersion)", NA, NA, coef(disp)[[1]], SE(disp)[[1]],
         m$df.residual)
  }
}
# 8: population totals (apipop, the population of these samples)
emit("population_total", "apipop", "api00", NA, NA, sum(apipop$api00), NA)
emit("population_total", "apipop", "meals", NA, NA, sum(apipop$meals), NA)

out <- do.call(rbind, rows)
write.csv(out, file.path(data_dir, "r", "survey_parity.csv"), row.names = FALSE, na = "")
cat(nrow(out), "rows written\n")
