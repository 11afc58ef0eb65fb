# Reference outputs of R clinfun for oncotrial.design's tests.
# Run: Rscript tests/data/clinfun/make_reference.R   (needs R with clinfun installed;
# oncotrial never depends on R). Writes the CSVs next to this script and VERSIONS.txt.
suppressPackageStartupMessages(library(clinfun))
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
out <- function(df, name) write.csv(df, file.path(here, name), row.names = FALSE)

# --- ph2simon: the minimax-to-optimal designs (x$out) and the admissible set -------------------
grid <- data.frame(
  pu = c(0.05, 0.10, 0.20, 0.30, 0.05, 0.10, 0.40, 0.05),
  pa = c(0.25, 0.30, 0.40, 0.50, 0.20, 0.25, 0.60, 0.25),
  ep1 = c(0.05, 0.05, 0.05, 0.05, 0.05, 0.10, 0.05, 0.10),
  ep2 = c(0.20, 0.20, 0.20, 0.20, 0.20, 0.10, 0.20, 0.10)
)
simon <- NULL
adm <- NULL
for (i in seq_len(nrow(grid))) {
  g <- grid[i, ]
  x <- ph2simon(g$pu, g$pa, g$ep1, g$ep2, nmax = 100)
  o <- as.data.frame(x$out)
  names(o) <- c("r1", "n1", "r", "n", "EN0", "PET0")
  simon <- rbind(simon, cbind(case = i, g, o))
  a <- twostage.admissible(x)
  a <- data.frame(design = rownames(a), as.data.frame(a), check.names = FALSE,
                  row.names = NULL)
  names(a) <- c("design", "r1", "n1", "r", "n", "EN0", "PET0", "qLo", "qHi")
  adm <- rbind(adm, cbind(case = i, g, a))
}
out(simon, "ph2simon_out.csv")
out(adm, "ph2simon_admissible.csv")

# --- ph2single ----------------------------------------------------------------------------------
single <- NULL
for (i in seq_len(nrow(grid))) {
  g <- grid[i, ]
  s <- ph2single(g$pu, g$pa, g$ep1, g$ep2, nsoln = 5)
  names(s) <- c("n", "r", "alpha", "beta")
  single <- rbind(single, cbind(case = i, g, s))
}
out(single, "ph2single.csv")

# --- twostage.inference --------------------------------------------------------------------------
inf <- NULL
designs <- list(c(1, 10, 29, 0.10), c(0, 9, 17, 0.05), c(3, 13, 43, 0.20), c(4, 18, 33, 0.20))
for (d in designs) {
  for (x in 0:min(d[3], 20)) {
    for (alpha in c(0.05, 0.10)) {
      r <- twostage.inference(x, d[1], d[2], d[3], d[4], alpha = alpha)
      inf <- rbind(inf, data.frame(x = x, r1 = d[1], n1 = d[2], n = d[3], pu = d[4],
                                   alpha = alpha, umvue = r[1], p_value = r[2],
                                   lcl = r[3], ucl = r[4]))
    }
  }
}
out(inf, "twostage_inference.csv")

# --- toxbdry (continuous monitoring: a look after every patient, n = 1:N) ----------------------
tox <- NULL
toxoc <- NULL
cases <- list(c(0.10, 0.30, 59, 0.10, 0.90, 0), c(0.10, 0.30, 59, 0.10, 0.90, 0.5),
              c(0.20, 0.40, 30, 0.10, 0.90, 0), c(0.05, 0.20, 40, 0.05, 0.80, 0))
for (k in seq_along(cases)) {
  cc <- cases[[k]]
  for (pr in c("null", "alt")) {
    b <- toxbdry(cc[1], cc[2], 1:cc[3], cP0 = cc[4], cP1 = cc[5], delta = cc[6], priority = pr)
    tox <- rbind(tox, data.frame(case = k, pLo = cc[1], pHi = cc[2], n = cc[3], cP0 = cc[4],
                                 cP1 = cc[5], delta = cc[6], priority = pr,
                                 look = b$looks, lo_bdry = b$lo.bdry, hi_bdry = b$hi.bdry))
    oc <- as.data.frame(b$bdry.oc)
    oc$case <- k
    oc$priority <- pr
    toxoc <- rbind(toxoc, oc)
  }
}
out(tox, "toxbdry.csv")
out(toxoc, "toxbdry_oc.csv")

writeLines(c(R.version.string, paste("clinfun", packageVersion("clinfun"))),
           file.path(here, "VERSIONS.txt"))
