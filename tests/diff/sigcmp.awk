# sigcmp.awk — compare two signature dumps printed by rvgen programs.
#
#   awk -f sigcmp.awk EXPECTED ACTUAL
#
# A dump is a series of blocks "seq N" followed by "NAME HEX" lines
# (x1..x31, f0..f31, fcsr, m0..m31).  Prints the sequences and registers in
# order, finds the first sequence (in EXPECTED's order) that differs or is
# missing in ACTUAL, prints one line per differing register:
#   "first N" then "reg NAME EXPECTED ACTUAL" lines (ACTUAL "-" if absent)
# and exits 1.  Exits 0 when every sequence of EXPECTED matches; lines that
# are not part of a block are ignored (the caller compares whole files too).

function names(   i, n) {
	n = 0
	for (i = 1; i < 32; i++) order[++n] = "x" i
	for (i = 0; i < 32; i++) order[++n] = "f" i
	order[++n] = "fcsr"
	for (i = 0; i < 32; i++) order[++n] = "m" i
	norder = n
}

BEGIN { names() }

FNR == 1 { file++; s = "" }

$1 == "seq" && NF == 2 {
	s = $2
	if (file == 1) seqs[++nseq] = s
	else seen[s] = 1
	next
}

s != "" && NF == 2 && $2 ~ /^[0-9a-f]+$/ {
	if (file == 1) exp_[s, $1] = $2
	else act[s, $1] = $2
	next
}

{ s = "" }

END {
	for (k = 1; k <= nseq; k++) {
		s = seqs[k]
		bad = 0
		for (i = 1; i <= norder; i++) {
			n = order[i]
			e = ((s, n) in exp_) ? exp_[s, n] : "-"
			a = ((s, n) in act) ? act[s, n] : "-"
			if (e != a) {
				if (!bad) print "first " s
				bad = 1
				print "reg " n " " e " " a
			}
		}
		if (bad) exit 1
	}
	exit 0
}
