// Package metrics holds gimark's Prometheus collectors (github.com/prometheus/client_golang):
// HTTP traffic, verification scans, label issuing and the database pools. Each instance has
// its own registry so tests never share counters.
package metrics

import (
	"database/sql"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the service's collectors. A nil *Metrics records nothing.
type Metrics struct {
	reg          *prometheus.Registry
	Requests     *prometheus.CounterVec   // method, route, status
	Duration     *prometheus.HistogramVec // method, route
	Scans        *prometheus.CounterVec   // result
	ScansDropped prometheus.Counter
	LabelBatches prometheus.Counter
	LabelsIssued prometheus.Counter
	// RedisFallbacks counts checks answered from the instance's memory because Redis
	// (GIMARK_REDIS_URL) failed, by check (verify, public, auth, login, invalidate).
	RedisFallbacks *prometheus.CounterVec
}

// New builds the collectors on a fresh registry, with Go runtime and process metrics.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gimark_http_requests_total", Help: "HTTP requests by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		Duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gimark_http_request_duration_seconds", Help: "HTTP request latency by method and route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
		Scans: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gimark_scans_total", Help: "Label verifications by result.",
		}, []string{"result"}),
		ScansDropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gimark_scan_events_dropped_total", Help: "Scan events not recorded because the write buffer was full.",
		}),
		LabelBatches: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gimark_label_batches_total", Help: "Label batches issued.",
		}),
		LabelsIssued: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gimark_labels_issued_total", Help: "Labels issued.",
		}),
		RedisFallbacks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gimark_redis_fallbacks_total", Help: "Checks answered from this instance's memory because Redis failed, by check.",
		}, []string{"check"}),
	}
	reg.MustRegister(m.Requests, m.Duration, m.Scans, m.ScansDropped, m.LabelBatches, m.LabelsIssued, m.RedisFallbacks,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, r := range []string{"genuine", "warning", "not_found", "invalid"} {
		m.Scans.WithLabelValues(r) // present from the start, at zero
	}
	return m
}

// WatchDB exports a database pool's statistics under the given name ("writer", "reader").
func (m *Metrics) WatchDB(name string, db *sql.DB) {
	if m != nil {
		m.reg.MustRegister(collectors.NewDBStatsCollector(db, name))
	}
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Scan counts one verification answer.
func (m *Metrics) Scan(result string) {
	if m != nil {
		m.Scans.WithLabelValues(result).Inc()
	}
}

// RedisFallback counts one check answered without Redis.
func (m *Metrics) RedisFallback(check string) {
	if m != nil {
		m.RedisFallbacks.WithLabelValues(check).Inc()
	}
}

// Dropped counts scan events lost to a full buffer.
func (m *Metrics) Dropped(n int) {
	if m != nil {
		m.ScansDropped.Add(float64(n))
	}
}

// Issued counts a label batch of n labels.
func (m *Metrics) Issued(n int) {
	if m != nil {
		m.LabelBatches.Inc()
		m.LabelsIssued.Add(float64(n))
	}
}
