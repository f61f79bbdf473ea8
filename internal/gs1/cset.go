package gs1

// cset82 marks the characters of GS1's character set 82 (GS1 General Specifications
// §7.11, figure 7.11-1): the invariant subset of ISO/IEC 646 that AI 10, 21 and 22 values
// may use.
var cset82 = func() (t [128]bool) {
	for _, c := range "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz" {
		t[c] = true
	}
	return
}()

// ValidCSET82 reports whether s is 1 to max characters of character set 82.
func ValidCSET82(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= 128 || !cset82[s[i]] {
			return false
		}
	}
	return true
}

// MaxLot is the longest AI 10 (batch/lot) value, and of AI 21 and 22.
const MaxLot = 20
