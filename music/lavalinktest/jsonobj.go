package lavalinktest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// The request parser mirrors Lavalink's kotlinx decoder: keys may be
// absent, null is allowed only where the protocol says so (elsewhere it is
// a 400 in strict mode and the same as an absent key in lenient mode),
// numbers must fit their type, and unknown keys are ignored.

// object is one decoded JSON object, its values still raw.
type object struct {
	fields map[string]json.RawMessage
	strict bool
	path   string
}

func parseObject(raw json.RawMessage, strict bool, path string) (object, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return object{}, fmt.Errorf("%s: expected a JSON object", path)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return object{}, fmt.Errorf("%s: %v", path, err)
	}
	return object{fields: fields, strict: strict, path: path}, nil
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// get returns the raw value of key, whether it is present (after the null
// rule for non-nullable fields) and an error.
func (o object) get(key string) (json.RawMessage, bool, error) {
	raw, ok := o.fields[key]
	if !ok {
		return nil, false, nil
	}
	if isNull(raw) {
		if o.strict {
			return nil, false, fmt.Errorf("%s.%s: null is not allowed", o.path, key)
		}
		return nil, false, nil
	}
	return raw, true, nil
}

func (o object) str(key string, dst **string) error {
	raw, ok, err := o.get(key)
	if !ok {
		return err
	}
	var s string
	if raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return fmt.Errorf("%s.%s: expected a string", o.path, key)
	}
	*dst = &s
	return nil
}

func (o object) boolean(key string, dst **bool) error {
	raw, ok, err := o.get(key)
	if !ok {
		return err
	}
	var b bool
	if json.Unmarshal(raw, &b) != nil {
		return fmt.Errorf("%s.%s: expected a boolean", o.path, key)
	}
	*dst = &b
	return nil
}

func parseInt(raw json.RawMessage, bits int) (int64, bool) {
	n, err := strconv.ParseInt(string(bytes.TrimSpace(raw)), 10, bits)
	return n, err == nil
}

func (o object) integer(key string, bits int, dst **int64) error {
	raw, ok, err := o.get(key)
	if !ok {
		return err
	}
	n, valid := parseInt(raw, bits)
	if !valid {
		return fmt.Errorf("%s.%s: expected an integer of %d bits", o.path, key, bits)
	}
	*dst = &n
	return nil
}

func (o object) float(key string, dst *float64) error {
	raw, ok, err := o.get(key)
	if !ok {
		return err
	}
	var f float64
	if raw[0] == '"' || json.Unmarshal(raw, &f) != nil || math.IsInf(f, 0) {
		return fmt.Errorf("%s.%s: expected a number", o.path, key)
	}
	*dst = f
	return nil
}

func (o object) child(key string) (object, bool, error) {
	raw, ok, err := o.get(key)
	if !ok {
		return object{}, false, err
	}
	c, err := parseObject(raw, o.strict, o.path+"."+key)
	return c, err == nil, err
}
