## Extra reference values from R's survey package for designs and options that
## ../shared/refs/survey does not cover: two-stage sampling with an fpc at each
## stage, lonely-PSU policies, replicate weights created from a design (BRR, Fay,
## JK1, JKn), design-based t-tests, two-way domains and calibration of a cluster
## sample. Data come from ../shared/refs/survey/data (the survey package's own).
##
## Run from the project root:  Rscript tests/design/r/extra_refs.R ../shared
## Writes tests/design/r/extra_refs.csv (design, analysis, term, stat, value).
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
shared <- if (length(args)) args[1] else "../shared"
dd <- function(name) read.csv(file.path(shared, "refs", "survey", "data", paste0(name, ".csv")))
out <- list()
add <- function(design, analysis, term, stat, value)
  out[[length(out) + 1]] <<- data.frame(design = design, analysis = analysis,
                                        term = term, stat = stat, value = as.numeric(value))
stat <- function(x, design, analysis) {
  add(design, analysis, names(coef(x)), "est", coef(x))
  add(design, analysis, names(coef(x)), "se", SE(x))
}
options(survey.lonely.psu = "fail")

## 1. two-stage sample with an fpc at both stages (MU284; Sarndal et al. 1992, Ex. 4.3.2)
mu <- dd("mu284")
dmu <- svydesign(id = ~id1 + id2, fpc = ~n1 + n2, data = mu)
stat(svytotal(~y1, dmu), "mu284", "svytotal")
stat(svymean(~y1, dmu), "mu284", "svymean")
stat(svymean(~y1, subset(dmu, y1 > 40)), "mu284", "domain_mean_y1gt40")
add("mu284", "design", "degf", "value", degf(dmu))
## the same, first stage only (ultimate cluster, with replacement)
dmu1 <- svydesign(id = ~id1 + id2, data = mu, weights = ~I(n1 / 5 * n2 / 3))
stat(svytotal(~y1, dmu1), "mu284_wr", "svytotal")

## 2. lonely PSUs: apistrat stratified by county (13 counties with one school)
ap <- dd("apistrat")
for (pol in c("adjust", "average", "remove", "certainty")) {
  options(survey.lonely.psu = pol)
  dl <- svydesign(id = ~1, strata = ~cname, weights = ~pw, data = ap)
  stat(svymean(~api00, dl), paste0("lonely_", pol), "svymean")
  stat(svytotal(~enroll, dl, na.rm = TRUE), paste0("lonely_", pol), "svytotal")
}
options(survey.lonely.psu = "fail")

## 3. replicate weights created from a design: scd (3 strata x 2 PSUs), apiclus1, apistrat
scd <- dd("scd")
scddes <- svydesign(data = scd, prob = ~1, id = ~ambulance, strata = ~ESA, nest = TRUE,
                    fpc = rep(5, 6))
scdnofpc <- svydesign(data = scd, prob = ~1, id = ~ambulance, strata = ~ESA, nest = TRUE)
stat(svytotal(~arrests + alive, scdnofpc), "scd_taylor_nofpc", "svytotal")
stat(svyratio(~alive, ~arrests, scdnofpc), "scd_taylor_nofpc", "svyratio")
for (ty in c("BRR", "Fay")) {
  r <- if (ty == "Fay") suppressWarnings(as.svrepdesign(scddes, type = ty, fay.rho = 0.3))
       else suppressWarnings(as.svrepdesign(scddes, type = ty))
  nm <- paste0("scd_", tolower(ty))
  stat(svymean(~arrests + alive, r), nm, "svymean")
  stat(svyratio(~alive, ~arrests, r), nm, "svyratio")
}
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = dd("apiclus1"), fpc = ~fpc)
r <- as.svrepdesign(dclus1, type = "JK1")
stat(svymean(~api00 + api99, r), "jk1_clus1_made", "svymean")

## 4. design-based t-test (two domains) and one-sample
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = ap, fpc = ~fpc)
tt <- svyttest(api00 ~ sch.wide, dclus1)
add("dclus1", "svyttest", "sch.wide", "t", tt$statistic)
add("dclus1", "svyttest", "sch.wide", "df", tt$parameter)
add("dclus1", "svyttest", "sch.wide", "p", tt$p.value)
add("dclus1", "svyttest", "sch.wide", "est", tt$estimate)
tt <- svyttest(api00 ~ sch.wide, dstrat)
add("dstrat", "svyttest", "sch.wide", "t", tt$statistic)
add("dstrat", "svyttest", "sch.wide", "df", tt$parameter)
add("dstrat", "svyttest", "sch.wide", "p", tt$p.value)
add("dstrat", "svyttest", "sch.wide", "est", tt$estimate)

## 5. two-way domains with covariances (svyby over two variables)
b <- svyby(~api00, ~stype + sch.wide, dclus1, svymean, covmat = TRUE)
add("dclus1", "svyby_two", paste(b$stype, b$sch.wide, sep = ":"), "est", coef(b))
add("dclus1", "svyby_two", paste(b$stype, b$sch.wide, sep = ":"), "se", SE(b))
v <- vcov(b)
add("dclus1", "svyby_two", "E:No|E:Yes", "cov", v["E.No", "E.Yes"])

## 6. calibration of a cluster sample (survey's trimWeights example), and a ratio after it
gclus1 <- calibrate(dclus1, ~stype + api99,
                    c(`(Intercept)` = 6194, stypeH = 755, stypeM = 1018, api99 = 3914069))
stat(svymean(~api00 + api99, gclus1), "dclus1_cal", "svymean")
stat(svytotal(~enroll, gclus1), "dclus1_cal", "svytotal")
stat(svymean(~api00, subset(gclus1, comp.imp == "Yes")), "dclus1_cal", "domain_mean")

## 7. proportion intervals not in the shared table
for (m in c("mean", "asin")) {
  ci <- svyciprop(~I(sch.wide == "Yes"), dclus1, method = m)
  add("dclus1", paste0("svyciprop_", m), "Yes", "ci_low", confint(ci)[1])
  add("dclus1", paste0("svyciprop_", m), "Yes", "ci_high", confint(ci)[2])
}

res <- do.call(rbind, out)
write.csv(res, "tests/design/r/extra_refs.csv", row.names = FALSE)
cat(R.version.string, "; survey", as.character(packageVersion("survey")), "\n")
