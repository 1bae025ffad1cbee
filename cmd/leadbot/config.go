package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/leadbot/leadbot/bot/dingtalk"
	"github.com/leadbot/leadbot/bot/wecom"
	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/storage"
)

// Config is the whole of Leadbot's configuration. It is loaded once, from
// defaults, then the YAML file, then LEADBOT_* environment variables, and
// handed down as plain values. Each leaf's variable is LEADBOT_ followed
// by its YAML path in capitals joined by underscores
// (engine.mode: LEADBOT_ENGINE_MODE) unless an env tag names another.
type Config struct {
	HTTP struct {
		Addr            string        `yaml:"addr"`
		ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	} `yaml:"http"`
	Database struct {
		Driver       string `yaml:"driver"`
		DSN          string `yaml:"dsn" secret:"true"`
		MaxOpenConns int    `yaml:"max_open_conns"`
	} `yaml:"database"`
	API struct {
		Token     string `yaml:"token" secret:"true"`
		ReadToken string `yaml:"read_token" secret:"true"`
		Timezone  string `yaml:"timezone"`
	} `yaml:"api"`
	Engine struct {
		Mode     string `yaml:"mode"`
		Strategy string `yaml:"strategy"`
		// Lang is the language of decision reasons; it is also the lang
		// of the scoring and routing sections.
		Lang             string `yaml:"lang"`
		TransferApproval bool   `yaml:"transfer_approval"`
		Disputes         struct {
			Arbiter         string        `yaml:"arbiter"`
			EscalateAfter   time.Duration `yaml:"escalate_after"`
			ProtectExisting time.Duration `yaml:"protect_existing"`
		} `yaml:"disputes"`
		Pool struct {
			ClaimsPerDay    int           `yaml:"claims_per_day"`
			ReclaimCooldown time.Duration `yaml:"reclaim_cooldown"`
			RecycleAfter    time.Duration `yaml:"recycle_after"`
			RecycleWarning  time.Duration `yaml:"recycle_warning"`
			MaxHeld         int           `yaml:"max_held"`
			// Visibility, FitAbove and RegionTeams are who may see and
			// claim a pooled lead: engine.PoolVisibility.
			Visibility  []string          `yaml:"visibility"`
			FitAbove    float64           `yaml:"fit_above"`
			RegionTeams map[string]string `yaml:"region_teams"`
		} `yaml:"pool"`
		LearnEvery    int      `yaml:"learn_every"`
		BusinessHours string   `yaml:"business_hours"`
		BusinessDays  string   `yaml:"business_days"`
		Holidays      []string `yaml:"holidays"`
		FirstTouch    struct {
			A time.Duration `yaml:"a"`
			B time.Duration `yaml:"b"`
			C time.Duration `yaml:"c"`
		} `yaml:"first_touch"`
		Scoring engine.WeightsConfig `yaml:"scoring"`
		Routing engine.ValueOptions  `yaml:"routing"`
		// Experiment, when it has a name, splits routed leads between
		// two strategies for an A/B test.
		Experiment struct {
			Name      string  `yaml:"name"`
			Control   string  `yaml:"control"`
			Treatment string  `yaml:"treatment"`
			Share     float64 `yaml:"share"`
			Start     string  `yaml:"start"`
		} `yaml:"experiment"`
		// Collaboration forms squads and applies pairing rules.
		Collaboration engine.CollaborationOptions `yaml:"collaboration"`
		Cadence       cadenceConfig               `yaml:"cadence"`
		Milestones    milestoneConfig             `yaml:"milestones"`
		Rebalance     RebalanceConfig             `yaml:"rebalance"`
	} `yaml:"engine"`
	Scheduler struct {
		Tick                 time.Duration `yaml:"tick"`
		RemindBefore         time.Duration `yaml:"remind_before" env:"LEADBOT_REMIND_BEFORE"`
		EscalateLeadAfter    time.Duration `yaml:"escalate_lead_after" env:"LEADBOT_ESCALATE_LEAD_AFTER"`
		EscalateManagerAfter time.Duration `yaml:"escalate_manager_after" env:"LEADBOT_ESCALATE_MANAGER_AFTER"`
		QuietHours           string        `yaml:"quiet_hours" env:"LEADBOT_QUIET_HOURS"`
		CheckpointSpec       string        `yaml:"checkpoint_spec" env:"LEADBOT_CHECKPOINT_SPEC"`
		UntouchedAfter       time.Duration `yaml:"untouched_after" env:"LEADBOT_UNTOUCHED_AFTER"`
		UntouchedCount       int           `yaml:"untouched_count" env:"LEADBOT_UNTOUCHED_COUNT"`
		AlertDigestOver      int           `yaml:"alert_digest_over" env:"LEADBOT_ALERT_DIGEST_OVER"`
		LagAlert             float64       `yaml:"lag_alert" env:"LEADBOT_LAG_ALERT"`
		ExtendBy             string        `yaml:"extend_by" env:"LEADBOT_EXTEND_BY"`
		LeaseTTL             time.Duration `yaml:"lease_ttl"`
	} `yaml:"scheduler"`
	Chat struct {
		Language       string        `yaml:"language"`
		OutboxInterval time.Duration `yaml:"outbox_interval"`
		OutboxLease    time.Duration `yaml:"outbox_lease"`
	} `yaml:"chat"`
	WeCom struct {
		CorpID  string `yaml:"corp_id"`
		AgentID int    `yaml:"agent_id"`
		Secret  string `yaml:"secret" secret:"true"`
		Token   string `yaml:"token" secret:"true"`
		AESKey  string `yaml:"aes_key" secret:"true"`
		APIBase string `yaml:"api_base"`
		// GroupWebhooks maps a team to its group robot's webhook key.
		GroupWebhooks  map[string]string `yaml:"group_webhooks" secret:"true"`
		DuplicateCheck time.Duration     `yaml:"duplicate_check"`
	} `yaml:"wecom"`
	DingTalk struct {
		ClientID       string `yaml:"client_id"`
		ClientSecret   string `yaml:"client_secret" secret:"true"`
		RobotCode      string `yaml:"robot_code"`
		CardTemplateID string `yaml:"card_template_id"`
		APIBase        string `yaml:"api_base"`
		// GroupConversations maps a team to its group's openConversationId.
		GroupConversations map[string]string `yaml:"group_conversations"`
	} `yaml:"dingtalk"`
	Console struct {
		Enabled string `yaml:"enabled"`
		Demo    bool   `yaml:"demo"`
	} `yaml:"console"`
	Log struct {
		Level  string `yaml:"level"`
		Format string `yaml:"format"`
	} `yaml:"log"`
	// Metrics is the Prometheus endpoint: on http.addr at /metrics, or
	// on a listener of its own when Addr is set.
	Metrics struct {
		Enabled bool   `yaml:"enabled"`
		Addr    string `yaml:"addr"`
	} `yaml:"metrics"`
	// Insight is how the health metrics judge what they measure.
	Insight insightConfig `yaml:"insight"`
	// Dashboard is the web dashboard of team leads and managers.
	Dashboard dashboardConfig `yaml:"dashboard"`
}

// DefaultConfig is the configuration with no file and no variables: an
// embedded SQLite file and the API closed until a token is set.
func DefaultConfig() Config {
	var c Config
	c.HTTP.Addr = "127.0.0.1:8080"
	c.HTTP.ShutdownTimeout = 15 * time.Second
	c.Database.Driver = storage.SQLite
	c.Database.DSN = "leadbot.db"
	c.Database.MaxOpenConns = 16
	c.API.Timezone = "Asia/Shanghai"
	c.Engine.Mode = string(engine.ModeHybrid)
	c.Engine.Strategy = engine.ExpertiseValueLoadName
	c.Engine.Lang = string(engine.Chinese)
	c.Engine.LearnEvery = 20
	c.Engine.BusinessHours = "09:00-18:00"
	c.Engine.BusinessDays = "mon-fri"
	c.Engine.Holidays = []string{}
	c.Engine.Pool.ReclaimCooldown = 24 * time.Hour
	c.Engine.Pool.RecycleAfter = 72 * time.Hour
	c.Engine.Pool.RecycleWarning = 24 * time.Hour
	c.Engine.Pool.Visibility = []string{string(engine.VisibleRegion)}
	c.Engine.Pool.FitAbove = 0.5
	c.Engine.Pool.RegionTeams = map[string]string{}
	c.Engine.Disputes.EscalateAfter = 48 * time.Hour
	c.Engine.Disputes.ProtectExisting = 90 * 24 * time.Hour
	c.Engine.Scoring = engine.DefaultWeights()
	c.Engine.Scoring.Lang = ""
	c.Engine.Routing = engine.DefaultValueOptions
	c.Engine.Routing.Lang = ""
	c.Engine.Routing.RegionTimezones = map[string]string{}
	c.Engine.Experiment.Share = 0.2
	c.Engine.Collaboration = engine.DefaultCollaborationOptions
	c.Engine.FirstTouch.A = engine.DefaultPolicy.FirstTouch[engine.TierA]
	c.Engine.FirstTouch.B = engine.DefaultPolicy.FirstTouch[engine.TierB]
	c.Engine.FirstTouch.C = engine.DefaultPolicy.FirstTouch[engine.TierC]
	c.Engine.Cadence = defaultCadence()
	c.Engine.Milestones = defaultMilestones()
	c.Engine.Rebalance = defaultRebalance()
	c.Scheduler.Tick = time.Minute
	c.Scheduler.RemindBefore = engine.DefaultSchedule.RemindBefore
	c.Scheduler.EscalateLeadAfter = engine.DefaultSchedule.EscalateLeadAfter
	c.Scheduler.EscalateManagerAfter = engine.DefaultSchedule.EscalateManagerAfter
	c.Scheduler.QuietHours = "21:00-08:00"
	c.Scheduler.CheckpointSpec = "0 16 * * fri"
	c.Scheduler.UntouchedAfter = 48 * time.Hour
	c.Scheduler.UntouchedCount = 3
	c.Scheduler.AlertDigestOver = 5
	// The engine leaves the lag rule off unless asked; an installation
	// starts with it on at 20 points behind plan.
	c.Scheduler.LagAlert = 0.2
	c.Scheduler.ExtendBy = engine.DefaultSchedule.ExtendBy.String()
	c.Scheduler.LeaseTTL = 30 * time.Second
	c.Chat.Language = "zh-CN"
	c.Chat.OutboxInterval = time.Second
	c.Chat.OutboxLease = time.Minute
	c.WeCom.APIBase = wecom.DefaultAPIBase
	c.WeCom.GroupWebhooks = map[string]string{}
	c.WeCom.DuplicateCheck = time.Hour
	c.DingTalk.APIBase = dingtalk.DefaultAPIBase
	c.DingTalk.GroupConversations = map[string]string{}
	c.Console.Enabled = "auto"
	c.Console.Demo = true
	c.Log.Level = "info"
	c.Log.Format = "text"
	c.Metrics.Enabled = true
	c.Insight = defaultInsight()
	c.Dashboard = defaultDashboard()
	return c
}

// DefaultConfigPath is read when --config is not given and it exists.
const DefaultConfigPath = "configs/leadbot.yaml"

// LoadConfig builds the configuration. path is the file to read; when
// explicit is false a missing file is no error. lookup reads the
// environment.
func LoadConfig(path string, explicit bool, lookup func(string) (string, bool)) (Config, error) {
	c := DefaultConfig()
	if path != "" {
		if err := readYAML(path, &c); err != nil {
			if explicit || !errors.Is(err, fs.ErrNotExist) {
				return Config{}, err
			}
		}
	}
	if err := applyEnv(reflect.ValueOf(&c).Elem(), "", lookup); err != nil {
		return Config{}, err
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

func readYAML(path string, c *Config) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read config: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	// An empty file is no settings at all, not an error.
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("config %s: %w", path, err)
	}
	return nil
}

var durationType = reflect.TypeOf(time.Duration(0))

// applyEnv overrides each leaf of v from its environment variable.
func applyEnv(v reflect.Value, path string, lookup func(string) (string, bool)) error {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		key := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if path != "" {
			key = path + "." + key
		}
		fv := v.Field(i)
		if fv.Kind() == reflect.Struct {
			if err := applyEnv(fv, key, lookup); err != nil {
				return err
			}
			continue
		}
		name := envName(f, key)
		s, ok := lookup(name)
		if !ok {
			continue
		}
		if err := setValue(fv, strings.TrimSpace(s)); err != nil {
			return fmt.Errorf("%s (%s): %w", name, key, err)
		}
	}
	return nil
}

func envName(f reflect.StructField, key string) string {
	if e := f.Tag.Get("env"); e != "" {
		return e
	}
	return "LEADBOT_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

func setValue(v reflect.Value, s string) error {
	switch {
	case v.Type() == durationType:
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("%q is not a duration such as 90s or 4h", s)
		}
		v.SetInt(int64(d))
	case v.Kind() == reflect.String:
		v.SetString(s)
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.String:
		// A list is written comma-separated: 2026-10-01,2026-10-02.
		var items []string
		for _, it := range strings.Split(s, ",") {
			if it = strings.TrimSpace(it); it != "" {
				items = append(items, it)
			}
		}
		v.Set(reflect.ValueOf(items).Convert(v.Type()))
	case v.Kind() == reflect.Map && v.Type().Key().Kind() == reflect.String &&
		v.Type().Elem().Kind() == reflect.String:
		// A map is written key=value pairs, comma-separated: east=k1,west=k2.
		m := map[string]string{}
		for _, pair := range strings.Split(s, ",") {
			if pair = strings.TrimSpace(pair); pair == "" {
				continue
			}
			k, val, ok := strings.Cut(pair, "=")
			if !ok || strings.TrimSpace(k) == "" {
				// The values may be secrets: name the form, not the text.
				return errors.New("want key=value pairs separated by commas")
			}
			m[strings.TrimSpace(k)] = strings.TrimSpace(val)
		}
		v.Set(reflect.ValueOf(m))
	case v.Kind() == reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not a whole number of 0 or more", s)
		}
		v.SetUint(n)
	case v.Kind() == reflect.Int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", s)
		}
		v.SetInt(int64(n))
	case v.Kind() == reflect.Float64:
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", s)
		}
		v.SetFloat(x)
	case v.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%q is not true or false", s)
		}
		v.SetBool(b)
	default:
		return fmt.Errorf("cannot be set from the environment (type %s)", v.Type())
	}
	return nil
}

// Validate reports the first setting that cannot work, naming its key and
// what is allowed.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("config %s: "+format, append([]any{key}, args...)...))
	}
	if c.HTTP.Addr == "" {
		bad("http.addr", "is empty; want host:port such as 127.0.0.1:8080")
	}
	if c.HTTP.ShutdownTimeout <= 0 {
		bad(
			"http.shutdown_timeout",
			"is %s; want a positive duration such as 15s",
			c.HTTP.ShutdownTimeout,
		)
	}
	switch c.Database.Driver {
	case storage.SQLite:
	case storage.MySQL:
		if _, err := storage.MySQLDSN(c.Database.DSN); err != nil {
			bad(
				"database.dsn",
				"is not a MySQL DSN such as user:pass@tcp(host:3306)/leadbot (%v)",
				err,
			)
		}
	default:
		bad("database.driver", "is %q; allowed: sqlite, mysql", c.Database.Driver)
	}
	if c.Database.DSN == "" {
		bad("database.dsn", "is empty; want a SQLite file path or a MySQL DSN")
	}
	if c.Database.MaxOpenConns < 1 || c.Database.MaxOpenConns > 1000 {
		bad("database.max_open_conns", "is %d; allowed: 1 to 1000", c.Database.MaxOpenConns)
	}
	if _, err := time.LoadLocation(c.API.Timezone); err != nil {
		bad("api.timezone", "%q is not an IANA time zone such as Asia/Shanghai", c.API.Timezone)
	}
	c.validateEngine(bad)
	c.validateScheduler(bad)
	c.Insight.validate(bad)
	if c.Chat.Language != "zh-CN" && c.Chat.Language != "en" {
		bad("chat.language", "is %q; allowed: zh-CN, en", c.Chat.Language)
	}
	if c.Chat.OutboxInterval < 10*time.Millisecond || c.Chat.OutboxInterval > time.Minute {
		bad("chat.outbox_interval", "is %s; allowed: 10ms to 1m", c.Chat.OutboxInterval)
	}
	if c.Chat.OutboxLease < time.Second || c.Chat.OutboxLease > time.Hour {
		bad("chat.outbox_lease", "is %s; allowed: 1s to 1h", c.Chat.OutboxLease)
	}
	if c.WeCom.CorpID != "" {
		if err := c.wecom().Validate(); err != nil {
			errs = append(errs, fmt.Errorf("config wecom: %w", err))
		}
	}
	if c.DingTalk.ClientID != "" {
		if err := c.dingtalk().Validate(); err != nil {
			errs = append(errs, fmt.Errorf("config dingtalk: %w", err))
		}
	}
	switch c.Console.Enabled {
	case "auto", "on", "off":
	default:
		bad("console.enabled", "is %q; allowed: auto, on, off", c.Console.Enabled)
	}
	if _, ok := logLevels[c.Log.Level]; !ok {
		bad("log.level", "is %q; allowed: debug, info, warn, error", c.Log.Level)
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		bad("log.format", "is %q; allowed: text, json", c.Log.Format)
	}
	c.validateMetrics(bad)
	c.validateDashboard(bad)
	return errors.Join(errs...)
}

func (c Config) validateEngine(bad func(key, format string, args ...any)) {
	e := c.Engine
	switch engine.Mode(e.Mode) {
	case engine.ModeAuto, engine.ModePool, engine.ModeHybrid:
	default:
		bad("engine.mode", "is %q; allowed: auto, pool, hybrid", e.Mode)
	}
	if _, err := engine.NewRouter(e.Strategy, c.routing()); err != nil {
		bad("engine.strategy", "%v", err)
	}
	if e.Lang != string(engine.Chinese) && e.Lang != string(engine.English) {
		bad("engine.lang", "is %q; allowed: zh, en", e.Lang)
	}
	if _, err := c.hours(); err != nil {
		bad("engine.business_hours", "%v", err)
	}
	if e.Pool.ClaimsPerDay < 0 {
		bad("engine.pool.claims_per_day", "is %d; want 0 (no cap) or more", e.Pool.ClaimsPerDay)
	}
	if e.Pool.RecycleAfter < 0 || e.Pool.RecycleWarning < 0 ||
		e.Pool.RecycleWarning > e.Pool.RecycleAfter {
		bad(
			"engine.pool.recycle_warning",
			"is %s; want 0 to recycle_after (%s)",
			e.Pool.RecycleWarning,
			e.Pool.RecycleAfter,
		)
	}
	c.validatePool(bad)
	if e.Pool.ReclaimCooldown < 0 {
		bad(
			"engine.pool.reclaim_cooldown",
			"is %s; want 0 or a positive duration",
			e.Pool.ReclaimCooldown,
		)
	}
	if e.Disputes.EscalateAfter < 0 || e.Disputes.ProtectExisting < 0 {
		bad(
			"engine.disputes",
			"escalate_after %s and protect_existing %s must be 0 (off) or positive",
			e.Disputes.EscalateAfter,
			e.Disputes.ProtectExisting,
		)
	}
	if e.LearnEvery < 0 {
		bad("engine.learn_every", "is %d; want 0 (off) or more", e.LearnEvery)
	}
	if err := c.scoring().Validate(); err != nil {
		bad("engine.scoring", "%v", err)
	}
	if err := c.routing().Validate(); err != nil {
		bad("engine.routing", "%v", err)
	}
	c.validateZones(bad)
	c.validateExperiment(bad)
	var collab *engine.Error
	if errors.As(e.Collaboration.Validate(), &collab) {
		bad("engine.collaboration."+collab.Field, "%s", collab.Msg)
	}
	e.Cadence.validate(bad)
	e.Milestones.validate(bad)
	c.Engine.Rebalance.validate(bad)
	for key, d := range map[string]time.Duration{
		"a": e.FirstTouch.A,
		"b": e.FirstTouch.B,
		"c": e.FirstTouch.C,
	} {
		if d <= 0 {
			bad("engine.first_touch."+key, "is %s; want a positive duration such as 4h", d)
		}
	}
}

// hours is the working day deadlines count in.
func (c Config) hours() (engine.BusinessHours, error) {
	return engine.ParseBusinessHours(
		c.Engine.BusinessHours,
		c.Engine.BusinessDays,
		c.Engine.Holidays,
	)
}

// scoring is the scoring configuration in the reasons' language.
func (c Config) scoring() engine.WeightsConfig {
	w := c.Engine.Scoring
	w.Lang = engine.Lang(c.Engine.Lang)
	return w
}

// routing is the routing configuration in the reasons' language.
func (c Config) routing() engine.ValueOptions {
	r := c.Engine.Routing
	r.Lang = engine.Lang(c.Engine.Lang)
	return r
}

// policy is the engine policy the configuration sets.
func (c Config) policy() engine.Policy {
	ft := c.Engine.FirstTouch
	return engine.Policy{
		Mode:                 engine.Mode(c.Engine.Mode),
		TransferApproval:     c.Engine.TransferApproval,
		Lang:                 engine.Lang(c.Engine.Lang),
		ClaimsPerDay:         c.Engine.Pool.ClaimsPerDay,
		ReclaimCooldown:      c.Engine.Pool.ReclaimCooldown,
		RecycleAfter:         c.Engine.Pool.RecycleAfter,
		RecycleWarning:       c.Engine.Pool.RecycleWarning,
		Schedule:             c.schedule(),
		DisputeArbiter:       engine.RepID(c.Engine.Disputes.Arbiter),
		DisputeEscalateAfter: c.Engine.Disputes.EscalateAfter,
		ProtectExisting:      c.Engine.Disputes.ProtectExisting,
		Collaboration:        c.Engine.Collaboration,
		Checkpoints:          c.checkpoints(),
		Hours:                must(c.hours()),
		Cadence:              c.Engine.Cadence.engine(),
		Milestones:           c.Engine.Milestones.engine(),
		MaxHeld:              c.Engine.Pool.MaxHeld,
		Visibility:           c.visibility(),
		Zones:                c.Engine.Routing.Zones(),
		FirstTouch: map[engine.Tier]time.Duration{
			engine.TierA: ft.A,
			engine.TierB: ft.B,
			engine.TierC: ft.C,
		},
	}
}

// consoleOn reports whether the local console is served: always when
// asked for, never when turned off, and by default only while Leadbot
// listens on loopback, since the console lets anyone act as anyone.
func (c Config) consoleOn() bool {
	switch c.Console.Enabled {
	case "on":
		return true
	case "off":
		return false
	}
	host, _, err := net.SplitHostPort(c.HTTP.Addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (c Config) validateScheduler(bad func(key, format string, args ...any)) {
	sc := c.Scheduler
	if sc.Tick < time.Second || sc.Tick > time.Hour {
		bad("scheduler.tick", "is %s; allowed: 1s to 1h (LEADBOT_SCHEDULER_TICK)", sc.Tick)
	}
	for key, d := range map[string]time.Duration{
		"remind_before (LEADBOT_REMIND_BEFORE)":                   sc.RemindBefore,
		"escalate_lead_after (LEADBOT_ESCALATE_LEAD_AFTER)":       sc.EscalateLeadAfter,
		"escalate_manager_after (LEADBOT_ESCALATE_MANAGER_AFTER)": sc.EscalateManagerAfter,
	} {
		if d <= 0 {
			bad("scheduler."+key, "is %s; want a positive duration such as 4h", d)
		}
	}
	if sc.EscalateManagerAfter <= sc.EscalateLeadAfter {
		bad(
			"scheduler.escalate_manager_after",
			"is %s; it must be later than escalate_lead_after (%s)",
			sc.EscalateManagerAfter,
			sc.EscalateLeadAfter,
		)
	}
	if _, err := engine.ParseQuietHours(sc.QuietHours); err != nil {
		bad("scheduler.quiet_hours (LEADBOT_QUIET_HOURS)", "%v", err)
	}
	c.validateCheckpoints(bad)
	if sc.LagAlert < 0 || sc.LagAlert >= 1 {
		bad("scheduler.lag_alert (LEADBOT_LAG_ALERT)",
			"is %g; want a share from 0 (off) to below 1, such as 0.2", sc.LagAlert)
	}
	if _, err := engine.ParseExtension(sc.ExtendBy); err != nil {
		bad("scheduler.extend_by (LEADBOT_EXTEND_BY)", "%v", err)
	}
	if sc.LeaseTTL < 3*time.Second || sc.LeaseTTL > 10*time.Minute {
		bad("scheduler.lease_ttl", "is %s; allowed: 3s to 10m", sc.LeaseTTL)
	}
}

// schedule is when the engine chases deadlines.
func (c Config) schedule() engine.Schedule {
	q, _ := engine.ParseQuietHours(c.Scheduler.QuietHours)
	ext, _ := engine.ParseExtension(c.Scheduler.ExtendBy)
	return engine.Schedule{
		RemindBefore:         c.Scheduler.RemindBefore,
		EscalateLeadAfter:    c.Scheduler.EscalateLeadAfter,
		EscalateManagerAfter: c.Scheduler.EscalateManagerAfter,
		Quiet:                q,
		LagAlert:             c.Scheduler.LagAlert,
		ExtendBy:             ext,
	}
}

// wecom is the WeCom adapter's configuration; it is on when a CorpID is
// set.
func (c Config) wecom() wecom.Config {
	w := c.WeCom
	return wecom.Config{CorpID: w.CorpID, AgentID: w.AgentID, Secret: w.Secret, Token: w.Token,
		AESKey: w.AESKey, APIBase: w.APIBase, DuplicateCheck: w.DuplicateCheck}
}

// dingtalk is the DingTalk adapter's configuration; it is on when a
// client id is set. The robot code defaults to the client id.
func (c Config) dingtalk() dingtalk.Config {
	d := c.DingTalk
	return dingtalk.Config{
		ClientID:       d.ClientID,
		ClientSecret:   d.ClientSecret,
		RobotCode:      d.RobotCode,
		CardTemplateID: d.CardTemplateID,
		APIBase:        d.APIBase,
	}.WithDefaults()
}

// must unwraps a value that Validate has checked already.
func must[T any](v T, _ error) T { return v }
