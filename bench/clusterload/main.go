// Command clusterload sends verifications to several gimark instances in turn and writes how
// many each code got answered (200) by each instance, so bench/cluster.sh can compare the
// labels' counts in the database with what the clients were told, exactly.
//
//	clusterload -targets http://127.0.0.1:1,http://127.0.0.1:2 -codes codes.txt -n 30000 -out answered.tsv
//
// With -duration instead of -n it runs until the time is up; a target that refuses
// connections (killed) is skipped for a moment and its failures counted, not retried, so
// each answered verification is counted once.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	targets := flag.String("targets", "", "comma-separated base URLs")
	codesFile := flag.String("codes", "", "file of label codes, one a line")
	n := flag.Int("n", 0, "verifications in all (0: until -duration)")
	duration := flag.Duration("duration", 0, "run this long when -n is 0")
	conns := flag.Int("conns", 16, "concurrent clients")
	out := flag.String("out", "", "append code<TAB>target index<TAB>answers lines here")
	flag.Parse()
	bases := strings.Split(*targets, ",")
	codes := readLines(*codesFile)
	if len(bases) == 0 || len(codes) == 0 || (*n == 0) == (*duration == 0) {
		fmt.Fprintln(os.Stderr, "clusterload: -targets, -codes and one of -n or -duration are required")
		os.Exit(2)
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *conns}}
	type key struct {
		code   string
		target int
	}
	var (
		mu       sync.Mutex
		answered = map[key]int{}
		perT     = make([]int64, len(bases))
		failed   = make([]int64, len(bases))
		next     atomic.Int64
		down     = make([]atomic.Int64, len(bases)) // UnixNano until which a target is skipped
	)
	end := time.Now().Add(*duration)
	var wg sync.WaitGroup
	start := time.Now()
	for range *conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if *n > 0 && i >= int64(*n) || *n == 0 && time.Now().After(end) {
					return
				}
				t := int(i % int64(len(bases)))
				for k := 0; k < len(bases) && time.Now().UnixNano() < down[t].Load(); k++ {
					t = (t + 1) % len(bases)
				}
				code := codes[int(i*7919)%len(codes)]
				resp, err := client.Get(bases[t] + "/api/v1/verify/" + code)
				if err != nil {
					atomic.AddInt64(&failed[t], 1)
					down[t].Store(time.Now().Add(200 * time.Millisecond).UnixNano())
					continue
				}
				var body struct{ Result string }
				err = json.NewDecoder(resp.Body).Decode(&body)
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || err != nil || (body.Result != "genuine" && body.Result != "warning") {
					atomic.AddInt64(&failed[t], 1)
					continue
				}
				atomic.AddInt64(&perT[t], 1)
				mu.Lock()
				answered[key{code, t}]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	var total int64
	for t := range bases {
		total += perT[t]
		fmt.Printf("clusterload: %s answered %d, failed %d\n", bases[t], perT[t], failed[t])
	}
	fmt.Printf("clusterload: %d verifications answered in %.1f s (%.0f/s)\n", total, took.Seconds(), float64(total)/took.Seconds())
	if *out != "" {
		f, err := os.OpenFile(*out, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		keys := make([]key, 0, len(answered))
		for k := range answered {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(a, b int) bool { return keys[a].code < keys[b].code })
		w := bufio.NewWriter(f)
		for _, k := range keys {
			fmt.Fprintf(w, "%s\t%d\t%d\n", k.code, k.target, answered[k])
		}
		if err := w.Flush(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		f.Close()
	}
}

func readLines(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
