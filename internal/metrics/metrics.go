// Package metrics collects the worker's metrics and serves them in Prometheus' text format with
// the worker's health endpoints: the Temporal SDK's own metrics (through OpenTelemetry), HaloPSA
// requests by route, method and status code, answers 429, the HaloPSA budget in use, webhook
// deliveries, and what workflows record through the SDK's metrics handler (imports, leads by
// outcome, suppressions).
package metrics

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.uber.org/zap"

	"haloleads/internal/halopsa"
)

// Metric names of our own (the SDK's start with temporal_).
const (
	HaloRequests    = "haloleads_halopsa_requests_total"
	HaloRateLimited = "haloleads_halopsa_rate_limited_total"
	HaloBudgetInUse = "haloleads_halopsa_budget_in_use"
	WebhookRequests = "haloleads_webhook_deliveries_total"
)

// Metrics is one process's metrics registry.
type Metrics struct {
	registry *prometheus.Registry
	provider *sdkmetric.MeterProvider
	halo     *prometheus.CounterVec
	limited  prometheus.Counter
	webhooks *prometheus.CounterVec
	budget   prometheus.GaugeFunc
	budgetMu sync.Mutex
	budgetFn func() float64
	sdk      client.MetricsHandler
}

// New builds a registry with Go's runtime and process collectors, ours, and an OpenTelemetry
// meter provider for the Temporal SDK that exports into the same registry.
func New() (*Metrics, error) {
	m := &Metrics{registry: prometheus.NewRegistry()}
	m.halo = prometheus.NewCounterVec(prometheus.CounterOpts{Name: HaloRequests,
		Help: "HaloPSA requests sent, by route (ids replaced by :id), method and status code (0: no answer)."},
		[]string{"route", "method", "code"})
	m.limited = prometheus.NewCounter(prometheus.CounterOpts{Name: HaloRateLimited,
		Help: "HaloPSA answers 429 Too Many Requests."})
	m.webhooks = prometheus.NewCounterVec(prometheus.CounterOpts{Name: WebhookRequests,
		Help: "HaloPSA webhook deliveries received, by status code answered."}, []string{"code"})
	m.budget = prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: HaloBudgetInUse,
		Help: "Requests counted in HaloPSA's current rolling window: by every process when the budget is shared (PostgreSQL store), else by this process's limiter."}, m.budgetValue)
	for _, c := range []prometheus.Collector{m.halo, m.limited, m.webhooks, m.budget,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		if err := m.registry.Register(c); err != nil {
			return nil, fmt.Errorf("registering metrics: %w", err)
		}
	}
	exp, err := otelprom.New(otelprom.WithRegisterer(m.registry), otelprom.WithoutScopeInfo())
	if err != nil {
		return nil, fmt.Errorf("exporting the SDK's metrics: %w", err)
	}
	m.provider = sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp))
	m.sdk = temporalotel.NewMetricsHandler(temporalotel.MetricsHandlerOptions{
		Meter: m.provider.Meter("temporal-sdk-go"), UseMonotonicCounters: true,
		OnError: func(error) {}, // a metric that cannot be recorded must not stop a worker
	})
	return m, nil
}

// SDK is the metrics handler for the Temporal client (client.Options.MetricsHandler): the SDK's
// metrics and those workflows and activities record.
func (m *Metrics) SDK() client.MetricsHandler { return m.sdk }

// Close flushes the SDK's meter provider.
func (m *Metrics) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return m.provider.Shutdown(ctx)
}

// OnHaloRequest counts one HaloPSA request; use it as halopsa.Config.OnRequest.
func (m *Metrics) OnHaloRequest(info halopsa.RequestInfo) {
	route := Route(info.Path)
	if info.Token {
		route = "token"
	}
	m.halo.WithLabelValues(route, info.Method, strconv.Itoa(info.StatusCode)).Inc()
	if info.StatusCode == http.StatusTooManyRequests {
		m.limited.Inc()
	}
}

// SetBudget sets the function that reports the HaloPSA budget in use.
func (m *Metrics) SetBudget(fn func() float64) {
	m.budgetMu.Lock()
	defer m.budgetMu.Unlock()
	m.budgetFn = fn
}

func (m *Metrics) budgetValue() float64 {
	m.budgetMu.Lock()
	defer m.budgetMu.Unlock()
	if m.budgetFn == nil {
		return 0
	}
	return m.budgetFn()
}

var idSegment = regexp.MustCompile(`/\d+(/|$)`)

// Route is a request path with its numeric ids replaced by ":id", so that one route is one
// label value ("/Tickets/42" → "/Tickets/:id").
func Route(path string) string {
	for {
		r := idSegment.ReplaceAllString(path, "/:id$1")
		if r == path {
			return r
		}
		path = r
	}
}

// Webhooks wraps the webhook receiver and counts its deliveries by the status code it answers.
func (m *Metrics) Webhooks(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		h.ServeHTTP(rec, r)
		m.webhooks.WithLabelValues(strconv.Itoa(rec.code)).Inc()
	})
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

// Check is one readiness check: nil when the dependency is usable.
type Check struct {
	Name string
	Run  func(context.Context) error
}

// Handler serves /metrics, /healthz (the process answers) and /readyz (every check passes,
// each within 5 s; the answer lists them).
func (m *Metrics) Handler(logger *zap.Logger, checks ...Check) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		var failed []error
		var lines []string
		for _, c := range checks {
			if err := c.Run(ctx); err != nil {
				failed = append(failed, fmt.Errorf("%s: %w", c.Name, err))
				lines = append(lines, c.Name+": "+err.Error())
				continue
			}
			lines = append(lines, c.Name+": ok")
		}
		if len(failed) > 0 {
			logger.Warn("not ready", zap.Error(errors.Join(failed...)))
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		for _, l := range lines {
			fmt.Fprintln(w, l)
		}
	})
	return mux
}
