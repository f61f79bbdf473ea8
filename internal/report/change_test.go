package report

import "testing"

// TestChangeRounding: the year-on-year change is in percent to one decimal, rounded half away
// from zero, never "-0.0", and empty when there is no previous figure to compare with.
func TestChangeRounding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		cur, prev int64
		want      string
	}{
		{"nothing before, nothing now", 0, 0, ""},
		{"nothing before", 5, 0, ""},
		{"unchanged", 100, 100, "0.0"},
		{"up a tenth", 110, 100, "10.0"},
		{"down a tenth", 90, 100, "-10.0"},
		{"gone", 0, 100, "-100.0"},
		{"doubled", 200, 100, "100.0"},
		{"a third up rounds down", 4, 3, "33.3"},
		{"two thirds up rounds up", 5, 3, "66.7"},
		{"a third down rounds toward zero", 2, 3, "-33.3"},
		{"two thirds down rounds away from zero", 1, 3, "-66.7"},
		{"half a tenth up rounds up", 2001, 2000, "0.1"},
		{"half a tenth down rounds down", 1999, 2000, "-0.1"},
		{"0.04 % up is 0.0", 2501, 2500, "0.0"},
		{"0.04 % down is 0.0, not -0.0", 2499, 2500, "0.0"},
		{"0.06 % up", 5003, 5000, "0.1"},
		{"0.06 % down", 4997, 5000, "-0.1"},
		{"1.05 % up", 2021, 2000, "1.1"},
		{"1.05 % down", 1979, 2000, "-1.1"},
		{"yuan in fen, 237 million on 200 million", 23_700_000_000, 20_000_000_000, "18.5"},
		{"tenfold", 1000, 100, "900.0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := Change(tc.cur, tc.prev); got != tc.want {
				t.Errorf("Change(%d, %d) = %q, want %q", tc.cur, tc.prev, got, tc.want)
			}
		})
	}
}
