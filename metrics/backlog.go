package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/leadbot/leadbot/engine"
)

// scrapeTimeout bounds the database reads of one scrape, so that a slow
// database makes a scrape miss its gauges rather than hang.
const scrapeTimeout = 5 * time.Second

var (
	pendingDesc = prometheus.NewDesc(
		"leadbot_outbox_pending_notices",
		"Notices in the outbox neither sent nor given up, including those "+
			"held back until quiet hours end.",
		nil, nil,
	)
	oldestDesc = prometheus.NewDesc(
		"leadbot_outbox_oldest_pending_age_seconds",
		"Age of the oldest pending notice that is due or was tried; 0 when none.",
		nil, nil,
	)
	lagDesc = prometheus.NewDesc(
		"leadbot_scheduler_lag_seconds",
		"How long the lead longest past its deadline has waited for its "+
			"overdue alert; 0 when every overdue lead has been alerted.",
		nil, nil,
	)
)

// backlog reads the outbox and the deadlines at each scrape. Every
// replica reports the same database, so dashboards take the max.
type backlog struct {
	src   Source
	clock engine.Clock
}

func (b *backlog) Describe(ch chan<- *prometheus.Desc) {
	ch <- pendingDesc
	ch <- oldestDesc
	ch <- lagDesc
}

func (b *backlog) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	now := b.clock.Now()

	ob, err := b.src.OutboxBacklog(ctx, now)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(pendingDesc, err)
	} else {
		ch <- prometheus.MustNewConstMetric(pendingDesc, prometheus.GaugeValue,
			float64(ob.Pending))
		ch <- prometheus.MustNewConstMetric(oldestDesc, prometheus.GaugeValue,
			age(now, ob.Oldest))
	}

	due, err := b.src.OldestUnchased(ctx, now)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(lagDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(lagDesc, prometheus.GaugeValue, age(now, due))
}

// age is how long before now t was, in seconds; 0 for a zero t or one
// in the future.
func age(now, t time.Time) float64 {
	if t.IsZero() || !t.Before(now) {
		return 0
	}
	return now.Sub(t).Seconds()
}
