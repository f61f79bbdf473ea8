package console

import (
	"strings"
	"testing"
)

func TestNiceMaxFitsTheData(t *testing.T) {
	t.Parallel()
	for v, want := range map[int64]int64{
		0: 1, 1: 1, 3: 4, 7: 8, 10: 10, 11: 12, 1500: 1600, 1999: 2000, 2000: 2000, 2100: 2400,
		2500: 3000, 4500: 5000, 6800: 8000, 9000: 10000, 10001: 12000, 123456: 160000,
	} {
		got := niceMax(v)
		if got != want {
			t.Errorf("niceMax(%d) = %d, want %d", v, got, want)
		}
		if got < v || v > 10 && got > 2*v {
			t.Errorf("niceMax(%d) = %d does not fit the data", v, got)
		}
	}
}

func TestEmptyChartSaysNoData(t *testing.T) {
	t.Parallel()
	svg := string(barChart("t", []string{"1月", "2月"}, []series{{"2026年", "#000", []int64{0, 0}}}, func(v int64) string { return "x" }))
	if !strings.Contains(svg, "暂无数据") || strings.Contains(svg, "<rect") {
		t.Fatalf("empty chart: %s", svg)
	}
	if svg := string(hbarChart("t", nil, nil, "#000", func(int64) string { return "" })); !strings.Contains(svg, "暂无数据") {
		t.Fatalf("empty bars: %s", svg)
	}
}
