package alerting_test

import (
	"math"
	"runtime"
	"strings"
)

func nan() float64 { return math.NaN() }

func runtimeGosched() { runtime.Gosched() }

func contains(s, sub string) bool { return strings.Contains(s, sub) }
