package cli

import (
	"io"

	sdklog "go.temporal.io/sdk/log"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// newLogger writes logs of level and above to w, readable (console) or as JSON lines (json).
func newLogger(level zapcore.Level, w io.Writer, format ...string) *zap.Logger {
	enc := zap.NewDevelopmentEncoderConfig()
	encoder := zapcore.NewConsoleEncoder(enc)
	if len(format) > 0 && format[0] == "json" {
		prod := zap.NewProductionEncoderConfig()
		prod.EncodeTime = zapcore.ISO8601TimeEncoder
		encoder = zapcore.NewJSONEncoder(prod)
	}
	return zap.New(zapcore.NewCore(encoder, zapcore.AddSync(w), level))
}

// sdkLogger hands the Temporal SDK's logs to zap, so they honour LOG_LEVEL and LOG_FORMAT
// instead of going to stdout through the standard library's log.
type sdkLogger struct{ z *zap.SugaredLogger }

// temporalLogger adapts logger for client.Options.Logger.
func temporalLogger(logger *zap.Logger) sdklog.Logger {
	return sdkLogger{logger.Named("temporal").WithOptions(zap.AddCallerSkip(1)).Sugar()}
}

func (l sdkLogger) Debug(msg string, keyvals ...any) { l.z.Debugw(msg, keyvals...) }
func (l sdkLogger) Info(msg string, keyvals ...any)  { l.z.Infow(msg, keyvals...) }
func (l sdkLogger) Warn(msg string, keyvals ...any)  { l.z.Warnw(msg, keyvals...) }
func (l sdkLogger) Error(msg string, keyvals ...any) { l.z.Errorw(msg, keyvals...) }

// With returns a logger that adds keyvals to every line (log.WithLogger).
func (l sdkLogger) With(keyvals ...any) sdklog.Logger { return sdkLogger{l.z.With(keyvals...)} }
