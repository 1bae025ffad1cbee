package storage

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// slowStatement is how long a statement may take before it is logged.
const slowStatement = 500 * time.Millisecond

// gormLogger sends gorm's statement reports to slog: slow statements as
// warnings, the rest at debug. SQL text may hold customer data, so it is
// logged at debug level only.
type gormLogger struct{ log *slog.Logger }

func newGormLogger(l *slog.Logger) logger.Interface { return gormLogger{l} }

func (g gormLogger) LogMode(logger.LogLevel) logger.Interface { return g }

func (g gormLogger) Info(ctx context.Context, msg string, args ...any) {
	g.log.DebugContext(ctx, "gorm info", slog.String("msg", msg))
}

func (g gormLogger) Warn(ctx context.Context, msg string, args ...any) {
	g.log.DebugContext(ctx, "gorm warning", slog.String("msg", msg))
}

func (g gormLogger) Error(ctx context.Context, msg string, args ...any) {
	g.log.DebugContext(ctx, "gorm error", slog.String("msg", msg))
}

func (g gormLogger) Trace(
	ctx context.Context,
	begin time.Time,
	fc func() (string, int64),
	err error,
) {
	took := time.Since(begin)
	if took >= slowStatement {
		_, rows := fc()
		g.log.WarnContext(
			ctx,
			"slow statement",
			slog.Duration("took", took),
			slog.Int64("rows", rows),
		)
	}
	if !g.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	sql, rows := fc()
	attrs := []any{slog.Duration("took", took), slog.Int64("rows", rows), slog.String("sql", sql)}
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		attrs = append(attrs, slog.Any("err", err))
	}
	g.log.DebugContext(ctx, "statement", attrs...)
}
