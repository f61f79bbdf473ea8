// Command labelpdf measures label PDFs: 10,000 labels (the most one labels.pdf holds) on each
// template, written through a SHA-256 to a temporary file as the server does, against a
// baseline measured in the same run: encoding the same 10,000 QR symbols on the same cores
// (qr.Matrix, as the PDF does: the part of a label no PDF library can avoid). For each
// template it prints labels per second and the growth of the process's peak RSS over its RSS
// before the first PDF, each against the printing issue's target (at least 2,000 labels/s on
// two cores, under 128 MiB), and the CPU time a label, the figure a shared machine disturbs
// least.
//
//	GOMAXPROCS=2 go run ./bench/labelpdf            # every template
//	GOMAXPROCS=2 go run ./bench/labelpdf a4-3x8     # one
package main

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"gimark/internal/labelcode"
	"gimark/internal/qr"
	"gimark/internal/sheet"
	"gimark/model"
)

const n = model.MaxPrintLabels

// The printing issue's targets for a 10,000-label PDF on two cores.
const (
	targetRate = 2000 // labels/s
	targetRSS  = 128  // MiB of peak RSS growth
)

func verdict(ok bool, target string) string {
	if ok {
		return target + ": met"
	}
	return target + ": missed"
}

// status reads a field of /proc/self/status in MiB.
func status(field string) float64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, field+":") {
			kb, _ := strconv.ParseFloat(strings.Fields(l)[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func main() {
	codes, err := labelcode.NewBatch(n)
	if err != nil {
		panic(err)
	}
	base := "HTTPS://GI.BAIYIN.GOV.CN/V/"
	labels := make([]sheet.Label, n)
	for i, c := range codes {
		labels[i] = sheet.Label{Serial: i + 1, Code: c, URL: base + c, Voided: i%1000 == 999}
	}
	facts := sheet.Facts{USCC: "914403001922038216", Enterprise: "靖远枸杞示例有限公司", Product: "靖远枸杞", Kind: model.ProtectedProduct,
		ReferenceNumber: "国家质检总局公告2012年第102号", RegistrationNumber: "第23307869号", AuthorizationNumber: "GI-620421-2026-00001"}
	names := os.Args[1:]
	if len(names) == 0 {
		// Each template in a process of its own, so each peak RSS is its own.
		for _, t := range sheet.Templates {
			cmd := exec.Command(os.Args[0], t.Name)
			cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
			if err := cmd.Run(); err != nil {
				panic(err)
			}
		}
		return
	}
	// Warm up: fonts parsed, code paths paged in; then the RSS every PDF is measured against.
	tpl0, _ := sheet.Lookup(names[0])
	if err := sheet.Write(io.Discard, tpl0, facts, nil, labels[:100], sheet.Options{}); err != nil {
		panic(err)
	}
	runtime.GC()
	rss0 := status("VmRSS")

	start, cpuBase := time.Now(), cpuTime()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < n; i = next.Add(1) - 1 {
				if _, err := qr.Matrix(labels[i].URL); err != nil {
					panic(err)
				}
			}
		}()
	}
	wg.Wait()
	baseline := time.Since(start)
	baseCPU := (cpuTime() - cpuBase).Seconds() * 1000 / n
	fmt.Printf("GOMAXPROCS=%d, %d labels, RSS before %.0f MiB; baseline (the QR symbols alone) %.0f labels/s, %.2f ms CPU a label\n",
		runtime.GOMAXPROCS(0), n, rss0, float64(n)/baseline.Seconds(), baseCPU)

	for _, name := range names {
		tpl, ok := sheet.Lookup(name)
		if !ok {
			panic("no template " + name)
		}
		f, err := os.CreateTemp("", "labelpdf-*.pdf")
		if err != nil {
			panic(err)
		}
		h := sha256.New()
		cpu0 := cpuTime()
		bw := bufio.NewWriterSize(io.MultiWriter(f, h), 256<<10)
		start := time.Now()
		if err := sheet.Write(bw, tpl, facts, nil, labels, sheet.Options{}); err != nil {
			panic(err)
		}
		bw.Flush()
		d := time.Since(start)
		size, _ := f.Seek(0, io.SeekCurrent)
		f.Close()
		os.Remove(f.Name())
		cpu := (cpuTime() - cpu0).Seconds() * 1000 / n
		rate, growth := float64(n)/d.Seconds(), status("VmHWM")-rss0
		fmt.Printf("  %-11s %5d pages %5.1f MiB: %5.0f labels/s (%s; %.2f× the baseline's time), %.3f ms CPU a label (%.2f× the baseline's; %.0f labels/s of CPU on %d cores), peak RSS growth %.0f MiB (%s)\n",
			tpl.Name, (n+tpl.PerPage()-1)/tpl.PerPage(), float64(size)/(1<<20), rate, verdict(rate >= targetRate, "target ≥ 2,000"),
			d.Seconds()/baseline.Seconds(), cpu, cpu/baseCPU, float64(runtime.GOMAXPROCS(0))*1000/cpu, runtime.GOMAXPROCS(0),
			growth, verdict(growth < targetRSS, "target < 128"))
		runtime.GC()
	}
}
