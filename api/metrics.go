package api

import (
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"gimark/internal/metrics"
)

// observe counts each request and its latency by route pattern (never by raw path, which
// would make one series per label code).
func observe(m *metrics.Metrics) gin.HandlerFunc {
	return func(c *gin.Context) {
		if m == nil {
			c.Next()
			return
		}
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		m.Requests.WithLabelValues(c.Request.Method, route, strconv.Itoa(c.Writer.Status())).Inc()
		m.Duration.WithLabelValues(c.Request.Method, route).Observe(time.Since(start).Seconds())
	}
}
