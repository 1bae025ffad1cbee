package api

import (
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/insight"
)

// defaultPeriod is the period a metrics call without from covers: the
// week up to to.
const defaultPeriod = 7 * 24 * time.Hour

// maxPeriod bounds one call's period: two years.
const maxPeriod = 2 * 366 * 24 * time.Hour

// errNoInsight answers when the server was built without a reporter.
var errNoInsight = &apiError{status: http.StatusServiceUnavailable, code: "metrics_unavailable",
	msg: "metrics are not served by this process"}

// health answers the health report of the query's period, with each
// tile's weekly trend when trend=weeks:N asks for it.
func (s *Server) health(r *http.Request) (int, any, error) {
	if s.insight == nil {
		return 0, nil, errNoInsight
	}
	q, err := s.period(r)
	if err != nil {
		return 0, nil, err
	}
	if q.Weeks, err = trendWeeks(r.URL.Query()["trend"]); err != nil {
		return 0, nil, err
	}
	rep, err := s.insight.Health(r.Context(), q)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, rep.In(s.loc), nil
}

// period reads from, to and team: RFC 3339 times, or dates at midnight
// in the API's time zone. To defaults to now and from to a week before
// to.
func (s *Server) period(r *http.Request) (insight.Query, error) {
	v := r.URL.Query()
	q := insight.Query{To: s.insight.Now(), Team: strings.TrimSpace(v.Get("team"))}
	for _, key := range []string{"from", "to", "team"} {
		if len(v[key]) > 1 {
			return q, invalidParam(key, "is given %d times; give it once", len(v[key]))
		}
	}
	if raw := v.Get("to"); raw != "" {
		t, err := s.moment(raw)
		if err != nil {
			return q, invalidParam("to", "%s", err)
		}
		q.To = t
	}
	q.From = q.To.Add(-defaultPeriod)
	if raw := v.Get("from"); raw != "" {
		t, err := s.moment(raw)
		if err != nil {
			return q, invalidParam("from", "%s", err)
		}
		q.From = t
	}
	if !q.From.Before(q.To) {
		return q, invalidParam("to", "is %s; it must be after from (%s)",
			q.To.Format(time.RFC3339), q.From.Format(time.RFC3339))
	}
	if q.To.Sub(q.From) > maxPeriod {
		return q, invalidParam("from", "is more than two years before to; ask for a shorter period")
	}
	return q, nil
}

func (s *Server) moment(raw string) (time.Time, error) { return insight.ParseTime(raw, s.loc) }

// trendWeeks reads trend=weeks:N, 1 to 26; 0 without it.
func trendWeeks(vals []string) (int, error) {
	if len(vals) == 0 {
		return 0, nil
	}
	if len(vals) > 1 {
		return 0, invalidParam("trend", "is given %d times; give it once", len(vals))
	}
	n, err := strconv.Atoi(strings.TrimPrefix(vals[0], "weeks:"))
	if !strings.HasPrefix(vals[0], "weeks:") || err != nil || n < 1 ||
		n > insight.MaxTrendWeeks {
		return 0, invalidParam("trend", "is %q; want weeks:N with N from 1 to %d, such as weeks:8",
			vals[0], insight.MaxTrendWeeks)
	}
	return n, nil
}

func invalidParam(field, format string, args ...any) error {
	return &engine.Error{Kind: engine.Invalid, Code: "invalid_param", Field: field,
		Msg: fmt.Sprintf(format, args...)}
}

// csvStart checks a CSV export's period and sets its headers; it
// answers the error itself and returns false when there is one.
func (s *Server) csvStart(
	w http.ResponseWriter,
	r *http.Request,
	name string,
) (insight.Query, bool) {
	if s.insight == nil || s.export == nil {
		s.writeError(w, r, errNoInsight)
		return insight.Query{}, false
	}
	q, err := s.period(r)
	if err != nil {
		s.writeError(w, r, err)
		return q, false
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	return q, true
}

// sentWriter remembers whether anything was written.
type sentWriter struct {
	http.ResponseWriter
	sent bool
}

func (w *sentWriter) Write(b []byte) (int, error) {
	w.sent = true
	return w.ResponseWriter.Write(b)
}

// csvFailed answers an export's error while nothing is sent yet, and
// otherwise logs it: once rows are out the status is gone, and the
// client sees a short file.
func (s *Server) csvFailed(w *sentWriter, r *http.Request, name string, err error) {
	if !w.sent {
		w.Header().Del("Content-Disposition")
		s.writeError(w.ResponseWriter, r, err)
		return
	}
	s.log.ErrorContext(r.Context(), "export failed", slog.String("file", name),
		slog.String("request_id", RequestID(r.Context())), slog.Any("err", err))
}

func (s *Server) exportTasks(w http.ResponseWriter, r *http.Request) {
	q, ok := s.csvStart(w, r, "tasks.csv")
	if !ok {
		return
	}
	sw := &sentWriter{ResponseWriter: w}
	err := insight.WriteTasks(r.Context(), sw, s.export, q.From, q.To, s.insight.Now())
	if err != nil {
		s.csvFailed(sw, r, "tasks.csv", err)
	}
}

func (s *Server) exportDecisions(w http.ResponseWriter, r *http.Request) {
	q, ok := s.csvStart(w, r, "decisions.csv")
	if !ok {
		return
	}
	sw := &sentWriter{ResponseWriter: w}
	if err := insight.WriteDecisions(r.Context(), sw, s.export, q.From, q.To); err != nil {
		s.csvFailed(sw, r, "decisions.csv", err)
	}
}

func (s *Server) exportMetrics(w http.ResponseWriter, r *http.Request) {
	if s.insight == nil {
		s.writeError(w, r, errNoInsight)
		return
	}
	q, err := s.period(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rep, err := s.insight.Health(r.Context(), q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="metrics.csv"`)
	sw := &sentWriter{ResponseWriter: w}
	if err := insight.WriteMetrics(sw, rep); err != nil {
		s.csvFailed(sw, r, "metrics.csv", err)
	}
}
