package text

// minPart is the shortest half of a compound ("window" + "sill"): shorter
// pieces ("a" + "cross") join or split far too many words by chance.
const minPart = 3

// Joined is the one word that neighbouring words a and b (keys) make
// written together ("window", "sill" -> "windowsill"), or "" when either
// is too short to be half of a compound.
func Joined(a, b string) string {
	if len(a) < minPart || len(b) < minPart {
		return ""
	}
	return a + b
}

// Splits lists the ways key w divides into two words that known says exist
// ("windowsill" -> "window" + "sill"), each half at least minPart letters.
func Splits(w string, known func(string) bool) [][2]string {
	var out [][2]string
	for k := minPart; k <= len(w)-minPart; k++ {
		if a, b := w[:k], w[k:]; known(a) && known(b) {
			out = append(out, [2]string{a, b})
		}
	}
	return out
}
