package config

import (
	"encoding"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// SettingError reports one bad or missing setting, named by its environment variable.
type SettingError struct {
	// Var is the environment variable, e.g. "HALO_URL" or "HALO_CLIENT_SECRET_FILE".
	Var string
	// Problem says what is wrong, e.g. "is required".
	Problem string
	// Hint says how to fix it; may be empty.
	Hint string
	// Err is the underlying error (reading a _FILE), if any.
	Err error
}

func (e *SettingError) Error() string {
	msg := e.Var + " " + e.Problem
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

// Unwrap returns the underlying error.
func (e *SettingError) Unwrap() error { return e.Err }

// FromEnv reads the configuration through getenv (os.Getenv in production), applying the
// defaults in the `default` tags and reading *_FILE secrets. The error joins one *SettingError
// per variable that could not be read or parsed; the Config then holds everything else.
func FromEnv(getenv func(string) string) (Config, error) {
	var c Config
	var errs []error
	eachSetting(&c, func(f reflect.Value, sf reflect.StructField) {
		name := sf.Tag.Get("env")
		raw, err := lookup(getenv, name, f.Type() == secretType)
		if err != nil {
			errs = append(errs, err)
			return
		}
		if raw == "" {
			raw = sf.Tag.Get("default")
		}
		if raw == "" {
			return
		}
		if err := set(f, raw); err != nil {
			errs = append(errs, &SettingError{Var: name, Problem: err.Error()})
		}
	})
	return c, errors.Join(errs...)
}

var (
	secretType   = reflect.TypeFor[Secret]()
	durationType = reflect.TypeFor[time.Duration]()
)

// eachSetting calls fn for every field with an `env` tag, walking nested structs in order.
func eachSetting(c *Config, fn func(reflect.Value, reflect.StructField)) {
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		for i := range v.NumField() {
			f, sf := v.Field(i), v.Type().Field(i)
			switch {
			case sf.Tag.Get("env") != "":
				fn(f, sf)
			case f.Kind() == reflect.Struct:
				walk(f)
			}
		}
	}
	walk(reflect.ValueOf(c).Elem())
}

// lookup returns the trimmed value of name, or for a secret the contents of the file named by
// name_FILE (without trailing line breaks).
func lookup(getenv func(string) string, name string, secret bool) (string, error) {
	value := strings.TrimSpace(getenv(name))
	if !secret {
		return value, nil
	}
	path := strings.TrimSpace(getenv(name + "_FILE"))
	switch {
	case path == "":
		return value, nil
	case value != "":
		return "", &SettingError{Var: name, Problem: "and " + name + "_FILE are both set", Hint: "keep one of them"}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", &SettingError{Var: name + "_FILE", Problem: "cannot be read", Err: err,
			Hint: "point it at a readable file holding only the secret"}
	}
	s := strings.TrimRight(string(b), "\r\n")
	if s == "" {
		return "", &SettingError{Var: name + "_FILE", Problem: fmt.Sprintf("names an empty file (%s)", path),
			Hint: "write the secret into it or unset the variable"}
	}
	return s, nil
}

// set parses raw into f according to f's type. Secrets are strings and never fail, so an error
// may quote raw.
func set(f reflect.Value, raw string) error {
	if u, ok := f.Addr().Interface().(encoding.TextUnmarshaler); ok && f.Type() != secretType {
		if err := u.UnmarshalText([]byte(raw)); err != nil {
			return fmt.Errorf("is not valid (%q): %w", raw, err)
		}
		return nil
	}
	switch {
	case f.Type() == durationType:
		d, err := time.ParseDuration(raw)
		if err != nil {
			return fmt.Errorf("is %q, not a Go duration such as 5m or 90s", raw)
		}
		f.SetInt(int64(d))
	case f.Kind() == reflect.String:
		f.SetString(raw)
	case f.Kind() == reflect.Int:
		n, err := strconv.Atoi(raw)
		if err != nil {
			return fmt.Errorf("is %q, not a whole number", raw)
		}
		f.SetInt(int64(n))
	case f.Kind() == reflect.Bool:
		b, ok := parseBool(raw)
		if !ok {
			return fmt.Errorf("is %q, not true or false", raw)
		}
		f.SetBool(b)
	case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.String:
		f.Set(reflect.ValueOf(strings.Fields(raw)))
	default:
		return fmt.Errorf("has a type (%s) the loader does not know", f.Type())
	}
	return nil
}

// parseBool reads true/false, 1/0, yes/no and on/off in any case.
func parseBool(s string) (value, ok bool) {
	switch strings.ToLower(s) {
	case "true", "t", "1", "yes", "y", "on":
		return true, true
	case "false", "f", "0", "no", "n", "off":
		return false, true
	}
	return false, false
}
