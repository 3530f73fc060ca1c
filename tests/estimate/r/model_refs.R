## Reference values from R's survey package for survey models beyond the shared table:
## poisson / quasipoisson / binomial families, interactions, complete cases (na.omit),
## a subpopulation, a calibrated design, a replicate design built with as.svrepdesign,
## and multinomial logit point estimates from nnet::multinom with the sampling weights.
## Data: the survey package's own data sets, as exported to ../shared/refs/survey/data.
##
## Run from the project root:  Rscript tests/estimate/r/model_refs.R ../shared
## Writes tests/estimate/r/model_refs.csv (case, term, stat, value).
## Made with R 4.2.2, survey 4.1.1 and nnet 7.3-18 (Debian packages r-cran-survey, r-cran-nnet).
suppressPackageStartupMessages({ library(survey); library(nnet) })
args <- commandArgs(trailingOnly = TRUE)
shared <- if (length(args)) args[1] else "../shared"
dd <- function(name) read.csv(file.path(shared, "refs", "survey", "data", paste0(name, ".csv")),
                              stringsAsFactors = TRUE)
options(survey.lonely.psu = "fail")
out <- list()
add <- function(case, term, stat, value)
  out[[length(out) + 1]] <<- data.frame(case = case, term = term, stat = stat,
                                        value = as.numeric(value))
glm_out <- function(case, m) {
  s <- summary(m)$coefficients
  add(case, rownames(s), "est", s[, 1]); add(case, rownames(s), "se", s[, 2])
  add(case, rownames(s), "t", s[, 3]); add(case, rownames(s), "p", s[, 4])
  add(case, "model", "df_residual", m$df.residual)
  ci <- confint(m)
  add(case, rownames(ci), "ci_low", ci[, 1]); add(case, rownames(ci), "ci_high", ci[, 2])
}
apiclus1 <- dd("apiclus1"); apistrat <- dd("apistrat")
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)

glm_out("quasipoisson_clus1", svyglm(enroll ~ ell + meals + stype, dclus1,
                                     family = quasipoisson()))
glm_out("poisson_clus1", suppressWarnings(svyglm(enroll ~ ell + meals + stype, dclus1,
                                                 family = poisson())))
glm_out("binomial_strat", suppressWarnings(svyglm(I(sch.wide == "Yes") ~ ell + meals, dstrat,
                                                  family = binomial())))
glm_out("interaction_strat", svyglm(api00 ~ ell * stype, dstrat))
glm_out("naomit_clus1", svyglm(api00 ~ ell + avg.ed, dclus1))
glm_out("naomit_strat", svyglm(api00 ~ ell + avg.ed, dstrat))
glm_out("subset_clus1", svyglm(api00 ~ ell + meals, subset(dclus1, stype == "E")))
tt <- regTermTest(svyglm(api00 ~ ell * stype, dstrat), ~ell:stype)
add("interaction_strat_test", "ell:stype", "F", tt$Ftest)
add("interaction_strat_test", "ell:stype", "p", tt$p)
add("interaction_strat_test", "ell:stype", "ddf", tt$ddf)

## calibrated design: the sandwich uses calibration residuals
pop <- c(`(Intercept)` = 6194, stypeH = 755, stypeM = 1018)
dcal <- calibrate(dclus1, ~stype, pop)
glm_out("calibrated_clus1", svyglm(api00 ~ ell + meals, dcal))

## replicate design made by as.svrepdesign: refit per replicate
rclus <- as.svrepdesign(dclus1, type = "JK1")
glm_out("jk1_logit_clus1", svyglm(I(sch.wide == "Yes") ~ ell + meals, rclus,
                                  family = quasibinomial()))
glm_out("jk1_naomit_clus1", svyglm(api00 ~ ell + avg.ed, rclus))

## multinomial logit: point estimates with the sampling weights (no design-based SEs in R)
mn <- multinom(stype ~ ell + meals, data = apistrat, weights = pw, trace = FALSE,
               reltol = 1e-14, abstol = 1e-14, maxit = 1000)
cf <- coef(mn)
for (lv in rownames(cf)) add("multinom_strat", paste0(lv, ":", colnames(cf)), "est", cf[lv, ])

res <- do.call(rbind, out)
write.csv(res, file.path("tests", "estimate", "r", "model_refs.csv"), row.names = FALSE)
cat("wrote", nrow(res), "rows\n")
