package hdf5

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// tcheck is a small assertion helper for the typed-read tests: must stops
// the test on failure, check goes on.
type tcheck struct{ fatal bool }

var (
	must  = tcheck{fatal: true}
	check = tcheck{}
)

func (c tcheck) fail(t *testing.T, msg string, args []any) bool {
	t.Helper()
	if len(args) > 0 {
		if f, ok := args[0].(string); ok {
			msg += ": " + fmt.Sprintf(f, args[1:]...)
		}
	}
	if c.fatal {
		t.Fatal(msg)
	}
	t.Error(msg)
	return false
}

func (c tcheck) NoError(t *testing.T, err error, args ...any) bool {
	t.Helper()
	if err != nil {
		return c.fail(t, "unexpected error: "+err.Error(), args)
	}
	return true
}

func (c tcheck) Error(t *testing.T, err error, args ...any) bool {
	t.Helper()
	if err == nil {
		return c.fail(t, "expected an error", args)
	}
	return true
}

func (c tcheck) ErrorContains(t *testing.T, err error, sub string, args ...any) bool {
	t.Helper()
	if err == nil {
		return c.fail(t, fmt.Sprintf("expected an error containing %q", sub), args)
	}
	if !strings.Contains(err.Error(), sub) {
		return c.fail(t, fmt.Sprintf("error %q does not contain %q", err, sub), args)
	}
	return true
}

func (c tcheck) Contains(t *testing.T, s, sub string, args ...any) bool {
	t.Helper()
	if !strings.Contains(s, sub) {
		return c.fail(t, fmt.Sprintf("%q does not contain %q", s, sub), args)
	}
	return true
}

func (c tcheck) Equal(t *testing.T, want, got any, args ...any) bool {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		return c.fail(t, fmt.Sprintf("got %#v, want %#v", got, want), args)
	}
	return true
}

func (c tcheck) Len(t *testing.T, obj any, n int, args ...any) bool {
	t.Helper()
	if l := reflect.ValueOf(obj).Len(); l != n {
		return c.fail(t, fmt.Sprintf("length %d, want %d", l, n), args)
	}
	return true
}

func (c tcheck) True(t *testing.T, b bool, args ...any) bool {
	t.Helper()
	if !b {
		return c.fail(t, "expected true", args)
	}
	return true
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface, reflect.Func, reflect.Chan:
		return rv.IsNil()
	}
	return false
}

func (c tcheck) Nil(t *testing.T, v any, args ...any) bool {
	t.Helper()
	if !isNil(v) {
		return c.fail(t, fmt.Sprintf("expected nil, got %#v", v), args)
	}
	return true
}

func (c tcheck) NotNil(t *testing.T, v any, args ...any) bool {
	t.Helper()
	if isNil(v) {
		return c.fail(t, "expected non-nil", args)
	}
	return true
}
